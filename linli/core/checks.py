"""System checks for configuration mistakes that would otherwise surface in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_level_labels(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    labels = settings.LINLI_DEFAULT_LEVEL_LABELS
    if len(labels) != 4:
        return [
            Error(
                "LINLI_LEVEL_LABELS must name exactly four levels, e.g. 区,派出所,居村委,网格",
                id="linli.E001",
            )
        ]
    return []


@register(deploy=True)
def check_demo_password(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG and settings.LINLI_DEMO_PASSWORD == "linli-demo-2026":  # noqa: S105
        return [
            Warning("the demo password is the published default; set LINLI_DEMO_PASSWORD", id="linli.W001")
        ]
    return []
