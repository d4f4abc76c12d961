"""`linli tick`: the periodic jobs — requests past their deadline escalate, failed notifications retry,
and any other app's due checks. Run it once from cron, or keep it running with --every SECONDS.

Each job claims its rows with conditional updates, so two ticks running at once do no work twice.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# (label, "module:function"): each function takes no arguments and returns how many rows it handled.
JOBS = [
    ("超时诉求自动上报", "linli.needs.services:requests_escalate_overdue"),
    ("协议回访提醒", "linli.safety.services:dispute_checks_remind"),
    ("隐患逾期提醒", "linli.safety.services:hazards_remind_overdue"),
    ("通知重试", "linli.notify.services:notifications_retry_due"),
    ("终止卡住的导入任务", "linli.registry.services:import_jobs_fail_stuck"),
    ("清理公开提交计数", "linli.needs.intake_guard:intake_guard_purge"),
]


def _resolve(target: str) -> Callable[[], int]:
    module, name = target.split(":")
    function: Callable[[], int] = getattr(importlib.import_module(module), name)
    return function


def run_jobs() -> dict[str, int]:
    """Run every job once; a job that fails is reported and does not stop the others."""
    done: dict[str, int] = {}
    for label, target in JOBS:
        try:
            done[label] = int(_resolve(target)() or 0)
        except Exception:
            logger.exception("tick job %s failed", target)
            done[label] = -1
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
