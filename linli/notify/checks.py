"""System checks of the notification channels' settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from linli.notify.models import Notification


@register()
def check_notify_channels(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
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
