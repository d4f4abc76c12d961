from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "linli.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from linli.notify import checks  # noqa: F401  (registers the system checks)
        from linli.notify.services.notifications import notification_queued
        from linli.notify.tasks import deliver_notification_later

        notification_queued.connect(deliver_notification_later, dispatch_uid="linli.notify.tasks")

        from linli.core.ticks import register_tick_job
        from linli.notify.services.notifications import notifications_retry_due

        register_tick_job("通知重试", notifications_retry_due)
