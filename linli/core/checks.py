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


@register()
def check_notify_channels(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from linli.notify.models import Notification

    unknown = [c for c in settings.LINLI_NOTIFY_CHANNELS if c not in Notification.Channel.values]
    errors: list[CheckMessage] = []
    if unknown:
        errors.append(
            Error(f"LINLI_NOTIFY_CHANNELS has unknown channels: {', '.join(unknown)}", id="linli.E002")
        )
    if "webhook" in settings.LINLI_NOTIFY_CHANNELS and not settings.LINLI_WEBHOOK_URL:
        errors.append(Error("the webhook channel needs LINLI_WEBHOOK_URL", id="linli.E003"))
    if "sms" in settings.LINLI_NOTIFY_CHANNELS and not settings.LINLI_SMS_URL:
        errors.append(Error("the sms channel needs LINLI_SMS_URL", id="linli.E004"))
    return errors
