from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set (`linli demo`): synthetic units, accounts, residents and cases for trying linli
    and for its tests. No runtime path imports it; it sits in the top layer and may use every app."""

    name = "linli.demo"
    label = "demo"
    verbose_name = "演示数据"
