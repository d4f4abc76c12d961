"""The outbox: rows first, delivery by the worker, retries with backoff, real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from linli.notify.models import Notification
from linli.notify.services.notifications import (
    MAX_ATTEMPTS,
    backoff,
    notification_deliver,
    notifications_retry_due,
    notify,
)

pytestmark = pytest.mark.django_db


class _Receiver:
    """A local HTTP server that records what it was sent and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.answer: dict[str, Any] = {"errcode": 0}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.requests.append(json.loads(self.rfile.read(length)))
                body = json.dumps(receiver.answer).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver()
    yield r
    r.close()


def test_notify_writes_rows_and_sends_nothing_itself(settings, persona):
    settings.LINLI_NOTIFY_CHANNELS = ["database", "sms"]
    rows = notify(recipient=persona("grid-nq"), text="王老伯的爱心卡被扫描", phone="13800001111")
    assert [r.channel for r in rows] == ["database", "sms"]
    assert all(r.state == "pending" for r in Notification.objects.all())
    assert Notification.objects.get(channel="sms").address == "13800001111"


def test_a_rolled_back_change_sends_nothing(settings, persona):
    settings.LINLI_NOTIFY_CHANNELS = ["database"]
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=persona("grid-nq"), text="x")
        raise RuntimeError
    assert not Notification.objects.exists()


def test_database_delivery_is_claimed_once(settings, persona):
    settings.LINLI_NOTIFY_CHANNELS = ["database"]
    (row,) = notify(recipient=persona("grid-nq"), text="测试")
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert notification_deliver(notification_id=row.pk) is None
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1)
    assert row.sent_at is not None


def test_webhook_posts_a_robot_message(settings, persona, receiver):
    settings.LINLI_NOTIFY_CHANNELS = ["webhook"]
    settings.LINLI_WEBHOOK_URL = receiver.url
    (row,) = notify(recipient=None, text="南桥派出所：有紧急情况")
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert receiver.requests == [{"msgtype": "text", "text": {"content": "南桥派出所：有紧急情况"}}]


def test_sms_gateway_gets_phone_and_text(settings, persona, receiver):
    settings.LINLI_NOTIFY_CHANNELS = ["sms"]
    settings.LINLI_SMS_URL = receiver.url
    receiver.answer = {"ok": True}
    (row,) = notify(recipient=persona("grid-nq"), text="请回电", phone="13800001111")
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert receiver.requests == [{"phone": "13800001111", "text": "请回电"}]


def test_failures_retry_with_backoff_then_give_up(settings, persona, receiver):
    settings.LINLI_NOTIFY_CHANNELS = ["webhook"]
    settings.LINLI_WEBHOOK_URL = receiver.url
    receiver.status = 500
    (row,) = notify(recipient=None, text="x")
    before = timezone.now()
    assert notification_deliver(notification_id=row.pk) == "pending"
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.last_error == "HTTP 500"
    assert row.next_attempt_at >= before + datetime.timedelta(seconds=29)
    # Not due yet: a second worker does nothing.
    assert notification_deliver(notification_id=row.pk) is None
    for _ in range(MAX_ATTEMPTS - 1):
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_a_robot_errcode_is_a_failure_and_a_dead_address_too(settings, receiver):
    settings.LINLI_NOTIFY_CHANNELS = ["webhook"]
    settings.LINLI_WEBHOOK_URL = receiver.url
    receiver.answer = {"errcode": 93000}
    (row,) = notify(recipient=None, text="x")
    notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert "93000" in row.last_error
    receiver.close()
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.last_error.startswith("连接失败")


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(20) == datetime.timedelta(hours=1)


def test_retry_due_picks_up_lost_rows(settings, persona):
    settings.LINLI_NOTIFY_CHANNELS = ["database"]
    notify(recipient=persona("grid-nq"), text="a")
    notify(recipient=persona("grid-tq"), text="b")
    assert notifications_retry_due() == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
