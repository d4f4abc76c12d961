from __future__ import annotations

import datetime
from typing import Any

from django_tasks import task

from linli.notify.services.notifications import notification_deliver


@task()
def deliver_notification(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)


def deliver_notification_later(
    sender: Any, *, notification_id: int, run_after: datetime.datetime | None, **kwargs: Any
) -> None:
    """Receives notification_queued (connected in NotifyConfig.ready): hand the row to the worker."""
    if run_after is None:
        deliver_notification.enqueue(notification_id)
    else:
        deliver_notification.using(run_after=run_after).enqueue(notification_id)
