"""`linli audit verify` walks the hash chain of the audit log and names the first broken link;
`linli audit archive --month 2026-05 --out DIR` writes one month's events as csv with the chain
anchors, so that the archive can be checked later (`linli audit verify --archive DIR/audit-2026-05`)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.audit.selectors.chain import verify_chain
from linli.audit.services.archive import archive_month, parse_month, verify_archive


class Command(BaseCommand):
    help = "审计日志：verify 校验摘要链；archive 按月归档"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验审计日志的摘要链，报告第一处断链")
        verify.add_argument("--archive", help="校验一个归档目录（archive 生成），而不是数据库")
        verify.add_argument(
            "--after-archive", help="已删除归档月份后：从该归档目录的最后一条之后校验数据库，并与其锚点衔接"
        )
        archive = sub.add_parser("archive", help="把一个月的审计事件写成 csv 和链锚点")
        archive.add_argument("--month", required=True, help="月份，如 2026-05")
        archive.add_argument("--out", required=True, help="输出目录")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "archive":
            self._archive(options["month"], Path(options["out"]))
        elif options.get("archive"):
            self._verify_archive(Path(options["archive"]))
        else:
            self._verify(options.get("after_archive"))

    def _verify(self, after_archive: str | None) -> None:
        if after_archive:
            anchors = json.loads((Path(after_archive) / "anchors.json").read_text())
            report = verify_chain(after_id=anchors["last_id"] or 0, prev_hash=anchors["last_hash"] or "")
        else:
            report = verify_chain()
        if report.broken is None:
            self.stdout.write(f"审计日志完整：{report.count} 条")
            return
        link = report.broken
        at = timezone.localtime(link.at).strftime("%Y-%m-%d %H:%M:%S")
        raise CommandError(f"审计日志断链：第一处在编号 {link.id}（{at}）：{link.reason}")

    def _archive(self, month: str, out: Path) -> None:
        try:
            start, _ = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        folder, count = archive_month(start, out)
        self.stdout.write(f"已归档 {month} 的审计事件 {count} 条：{folder}")

    def _verify_archive(self, folder: Path) -> None:
        try:
            count = verify_archive(folder)
        except ValueError as exc:
            raise CommandError(f"归档校验失败：{exc}") from None
        self.stdout.write(f"归档完整：{count} 条")
