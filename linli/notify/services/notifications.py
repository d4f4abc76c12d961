"""Queueing and delivering notifications (the outbox). A request only writes rows; the worker sends."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from linli.notify.models import Notification
from linli.notify.services.channels import BACKENDS, DeliveryError

if TYPE_CHECKING:
    from linli.accounts.models import User

MAX_ATTEMPTS = 8
_BASE_DELAY: datetime.timedelta = datetime.timedelta(seconds=30)
_MAX_DELAY = datetime.timedelta(hours=1)

# Sent, after the commit, for each notification the worker should try (at `run_after`, or now). The
# task module imports this one, so this one cannot import it: NotifyConfig.ready() connects the task.
notification_queued = Signal()


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min … doubling, at most an hour."""
    factor: int = 2 ** max(attempts - 1, 0)  # int ** int is Any in typeshed (negative powers)
    return min(_BASE_DELAY * factor, _MAX_DELAY)


def notify(*, recipient: User | None, text: str, unit_path: str = "", phone: str = "") -> list[Notification]:
    """Queue `text` for `recipient` on every configured channel; delivery starts after the commit.

    Call inside the transaction of the change that causes it: if that rolls back, nothing is sent.
    """
    now = timezone.now()
    rows = []
    for channel in settings.LINLI_NOTIFY_CHANNELS:
        if channel == Notification.Channel.SMS and not phone:
            continue
        if channel == Notification.Channel.DATABASE and recipient is None:
            continue
        rows.append(
            Notification(
                channel=channel,
                recipient=recipient,
                address=phone if channel == Notification.Channel.SMS else "",
                text=text[:1000],
                unit_path=unit_path,
                next_attempt_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]

    def enqueue() -> None:
        for pk in ids:
            notification_queued.send(sender=Notification, notification_id=pk, run_after=None)

    transaction.on_commit(enqueue)
    return created


def notification_deliver(*, notification_id: int) -> Notification.State | None:
    """Try once to deliver; on failure schedule the next try. Returns the new state, or None if another
    worker holds the row or it is not due (claimed with a conditional update, so it is sent once)."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING, next_attempt_at__lte=now
    ).update(state=Notification.State.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return None
    notification = Notification.objects.get(pk=notification_id)
    try:
        BACKENDS[notification.channel].deliver(notification)
    except DeliveryError as exc:
        failed_for_good = notification.attempts >= MAX_ATTEMPTS
        notification.state = Notification.State.FAILED if failed_for_good else Notification.State.PENDING
        notification.next_attempt_at = now + backoff(notification.attempts)
        notification.last_error = str(exc)[:300]
        notification.save(update_fields=["state", "next_attempt_at", "last_error"])
        if not failed_for_good:
            notification_queued.send(
                sender=Notification, notification_id=notification.pk, run_after=notification.next_attempt_at
            )
        return Notification.State(notification.state)
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["state", "sent_at", "last_error"])
    return Notification.State.SENT


def notifications_retry_due() -> int:
    """Deliver whatever is due (rows whose task was lost, e.g. after a restart); returns how many tried."""
    due = list(
        Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        notification_deliver(notification_id=pk)
    return len(due)
