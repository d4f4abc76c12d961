from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from linli.demo.care import load_care_demo
from linli.demo.needs import load_needs_demo
from linli.demo.org import PERSONA_DESCRIPTIONS, load_org_demo
from linli.demo.registry import SCALES, load_registry_demo
from linli.demo.safety import load_safety_demo


class Command(BaseCommand):
    help = (
        "载入演示数据：奉贤区 27 个派出所与联系部门、昂素镇，以及合成的人口、地址、房屋和单位"
        "（重复执行只补缺）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="default",
            help="default：每个网格约 12 人，几秒载完；district：奉贤约 120 万人",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_org_demo()
        self.stdout.write(f"组织与账号：{counts.summary()}")
        show_progress = options["scale"] != "default" and sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            if show_progress and (done % 50 == 0 or done == total):
                self.stdout.write(f"\r人口数据：{done}/{total} 个网格", ending="")
                self.stdout.flush()

        population = load_registry_demo(scale=options["scale"], progress=progress)
        if show_progress:
            self.stdout.write("")
        summary = "，".join(f"{what} {n}" for what, n in population.items()) or "没有变化"
        self.stdout.write(f"人口与房屋：{summary}")

        def care_progress(done: int, total: int) -> None:
            if show_progress:
                self.stdout.write(f"\r重点人员：{done}/{total} 个网格", ending="")
                self.stdout.flush()

        care = load_care_demo(progress=care_progress)
        if show_progress:
            self.stdout.write("")
        self.stdout.write(f"重点人员：{'，'.join(f'{what} {n}' for what, n in care.items()) or '没有变化'}")
        needs = load_needs_demo()
        self.stdout.write(f"群众诉求：{_summary(needs)}")
        self.stdout.write(f"矛盾纠纷与隐患：{_summary(load_safety_demo())}")
        self.stdout.write(f"演示账号（口令均为 LINLI_DEMO_PASSWORD = {settings.LINLI_DEMO_PASSWORD}）：")
        for username, description in PERSONA_DESCRIPTIONS.items():
            self.stdout.write(f"  {username:<11} {description}")


def _summary(counts: dict[str, int]) -> str:
    return "，".join(f"{what} {n}" for what, n in counts.items() if n) or "没有变化"
