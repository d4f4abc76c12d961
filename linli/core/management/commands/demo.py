from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from linli.org.demo import PERSONA_DESCRIPTIONS, load_org_demo


class Command(BaseCommand):
    help = "载入演示数据（奉贤区 27 个派出所与联系部门、昂素镇；重复执行不会产生变化）"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_org_demo()
        self.stdout.write(f"演示数据：{counts.summary()}")
        self.stdout.write(f"演示账号（口令均为 LINLI_DEMO_PASSWORD = {settings.LINLI_DEMO_PASSWORD}）：")
        for username, description in PERSONA_DESCRIPTIONS.items():
            self.stdout.write(f"  {username:<11} {description}")
