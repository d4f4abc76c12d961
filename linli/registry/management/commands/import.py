from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.registry.services.addresses import residents_match_addresses
from linli.registry.services.imports.places import import_places
from linli.registry.services.imports.report import report_csv
from linli.registry.services.imports.residents import import_residents

# Without a terminal, a progress line at most this often (seconds), so that logs stay short.
_LOG_PROGRESS_EVERY = 5.0


class Command(BaseCommand):
    help = "从 xlsx/csv 导入一标三实数据。默认有错误行时不写入；--write-valid 只写入正确的行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["residents", "addresses", "housing", "businesses"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="目标网格编码，如 310120.01.001.01")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--write-valid", action="store_true", help="有错误行时仍写入正确的行")
        parser.add_argument("--report", type=Path, help="把错误报告写入该 csv 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"找不到单位 {options['unit']}")
        progress = _Progress(self.stderr, verbosity=options["verbosity"]) if options["verbosity"] else None
        try:
            if options["kind"] == "residents":
                report = import_residents(
                    actor=None,
                    path=options["file"],
                    unit=unit,
                    dry_run=options["dry_run"],
                    write_valid_rows=options["write_valid"],
                    progress=progress,
                )
            else:
                report = import_places(
                    kind=options["kind"],
                    actor=None,
                    path=options["file"],
                    unit=unit,
                    dry_run=options["dry_run"],
                    write_valid_rows=options["write_valid"],
                )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        finally:
            if progress:
                progress.done()
        for error in report.errors[:20]:
            self.stderr.write(f"第 {error.row} 行 {error.column}：{error.message}")
        if len(report.errors) > 20:
            self.stderr.write(f"……另有 {len(report.errors) - 20} 处错误")
        if options["report"]:
            options["report"].write_text(report_csv(report), encoding="utf-8-sig")
        self.stdout.write(report.summary())
        if report.written and options["kind"] in ("residents", "addresses"):
            matched = residents_match_addresses(unit_path=unit.path)
            self.stdout.write(f"地址匹配：{matched.matched} 人对应到标准地址，{matched.queued} 条待核对")
        if report.errors and not report.written and not options["dry_run"]:
            self.stdout.write("有错误行，未写入任何数据；改正后重新导入，或加 --write-valid 只写入正确的行。")


class _Progress:
    """Rows read so far: one refreshed line at a terminal, else an occasional line (-v 2: every chunk)."""

    def __init__(self, out: Any, *, verbosity: int) -> None:
        self.out = out
        self.interactive = out.isatty() and verbosity < 2
        self.every = 0.0 if verbosity >= 2 else _LOG_PROGRESS_EVERY
        self.started = self.last = time.monotonic()
        self.shown = False

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        rate = rows / max(now - self.started, 1e-6)
        if self.interactive:
            self.out.write(f"\r已处理 {rows:,} 行（{rate:,.0f} 行/秒）", ending="")
            self.out.flush()
            self.shown = True
        elif now - self.last >= self.every:
            self.out.write(f"已处理 {rows:,} 行（{rate:,.0f} 行/秒）")
            self.out.flush()
            self.last = now

    def done(self) -> None:
        if self.shown:
            self.out.write("")
