from __future__ import annotations

from django_tasks import task

from linli.notify.services import notification_deliver


@task()
def deliver_notification(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)
