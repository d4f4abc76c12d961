from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.registry.importing import import_residents, report_csv


class Command(BaseCommand):
    help = "从 xlsx/csv 导入一标三实数据。默认有错误行时不写入；--write-valid 只写入正确的行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["residents"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="目标网格编码，如 310120.01.001.01")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--write-valid", action="store_true", help="有错误行时仍写入正确的行")
        parser.add_argument("--report", type=Path, help="把错误报告写入该 csv 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"找不到单位 {options['unit']}")
        try:
            report = import_residents(
                actor=None,
                path=options["file"],
                unit=unit,
                dry_run=options["dry_run"],
                write_valid_rows=options["write_valid"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        for error in report.errors[:20]:
            self.stderr.write(f"第 {error.row} 行 {error.column}：{error.message}")
        if len(report.errors) > 20:
            self.stderr.write(f"……另有 {len(report.errors) - 20} 处错误")
        if options["report"]:
            options["report"].write_text(report_csv(report), encoding="utf-8-sig")
        self.stdout.write(report.summary())
        if report.errors and not report.written and not options["dry_run"]:
            self.stdout.write("有错误行，未写入任何数据；改正后重新导入，或加 --write-valid 只写入正确的行。")
