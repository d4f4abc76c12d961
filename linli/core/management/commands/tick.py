"""`linli tick`: the periodic jobs the apps register (linli.core.ticks) — requests past their deadline
escalate, failed notifications retry, and the other apps' due checks. Run it once from cron, or keep it
running with --every SECONDS.

Each job claims its rows with conditional updates, so two ticks running at once do no work twice.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from linli.core.ticks import tick_jobs

logger = logging.getLogger(__name__)


def run_jobs() -> dict[str, int]:
    """Run every registered job once (linli.core.ticks); a job that fails is reported and does not stop
    the others."""
    done: dict[str, int] = {}
    for job in tick_jobs():
        try:
            done[job.label] = int(job.run() or 0)
        except Exception:
            logger.exception("tick job %s failed", job.name)
            done[job.label] = -1
    return done


class Command(BaseCommand):
    help = "执行定时任务：超时诉求自动上报、通知重试等（--every 秒数 表示持续运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="每隔多少秒执行一次；0 表示只执行一次")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every < 0:
            self.stderr.write("--every 不能为负数")
            raise SystemExit(2)
        while True:
            done = run_jobs()
            if options["verbosity"] > 0:
                summary = "，".join(f"{label} {n if n >= 0 else '出错'}" for label, n in done.items())
                self.stdout.write(f"{time.strftime('%H:%M:%S')} {summary}")
            if not every:
                return
            time.sleep(every)
            # A long-running tick must not hold a connection the database has since dropped.
            close_old_connections()
