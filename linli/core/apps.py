from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from linli.core import checks  # noqa: F401  (registers system checks)
