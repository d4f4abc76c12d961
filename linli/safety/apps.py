from __future__ import annotations

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "linli.safety"
    label = "safety"
    verbose_name = "矛盾纠纷和隐患"
