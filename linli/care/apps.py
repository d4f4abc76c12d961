from __future__ import annotations

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "linli.care"
    label = "care"
    verbose_name = "困难群体关爱"
