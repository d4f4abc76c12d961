"""Delivery backends. Each takes one notification and raises DeliveryError when it was not delivered.

Configured by LINLI_NOTIFY_CHANNELS (which channels a notification goes to) and, for the HTTP
backends, LINLI_WEBHOOK_URL (a WeCom/DingTalk-style group robot) and LINLI_SMS_URL (an SMS gateway
that takes a JSON POST). Both are intranet addresses in a deployment; nothing here calls the internet
unless configured to.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings

from linli.core.masking import mask_phone
from linli.notify.models import Notification

logger = logging.getLogger(__name__)
HTTP_TIMEOUT_SECONDS = 5


class DeliveryError(Exception):
    pass


class Backend(Protocol):
    def deliver(self, notification: Notification) -> None: ...


class ConsoleBackend:
    """Development: a log line that says a notification went out (never the phone number)."""

    def deliver(self, notification: Notification) -> None:
        logger.info(
            "notification %s to user %s: %s", notification.pk, notification.recipient_id, notification.text
        )


class DatabaseBackend:
    """The row is the message: the recipient reads it in the app."""

    def deliver(self, notification: Notification) -> None:
        if notification.recipient_id is None:
            raise DeliveryError("站内通知需要接收人")


def _post_json(url: str, payload: dict[str, object]) -> dict[str, object]:
    if not url:
        raise DeliveryError("未配置发送地址")
    if not url.startswith(("http://", "https://")):
        raise DeliveryError("发送地址必须是 http(s) 地址")
    request = urllib.request.Request(  # noqa: S310  (scheme checked above; the URL is the operator's)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"连接失败：{type(exc).__name__}") from None
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class WebhookBackend:
    """A group robot (企业微信/钉钉 style): POST {"msgtype": "text", "text": {"content": …}}."""

    def deliver(self, notification: Notification) -> None:
        answer = _post_json(
            settings.LINLI_WEBHOOK_URL, {"msgtype": "text", "text": {"content": notification.text}}
        )
        # The robots answer 200 with {"errcode": N} on failure.
        if answer.get("errcode", 0) not in (0, "0"):
            raise DeliveryError(f"机器人返回错误 {answer.get('errcode')}")


class SmsBackend:
    """An SMS gateway: POST {"phone": …, "text": …}; anything but 2xx is a failure."""

    def deliver(self, notification: Notification) -> None:
        if not notification.address:
            raise DeliveryError("短信需要手机号")
        answer = _post_json(
            settings.LINLI_SMS_URL, {"phone": notification.address, "text": notification.text}
        )
        if answer.get("ok") is False:
            raise DeliveryError(f"短信网关拒绝：{mask_phone(notification.address)}")


BACKENDS: dict[str, Backend] = {
    Notification.Channel.CONSOLE: ConsoleBackend(),
    Notification.Channel.DATABASE: DatabaseBackend(),
    Notification.Channel.WEBHOOK: WebhookBackend(),
    Notification.Channel.SMS: SmsBackend(),
}
