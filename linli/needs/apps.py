from __future__ import annotations

from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "linli.needs"
    label = "needs"
    verbose_name = "群众诉求"

    def ready(self) -> None:
        from linli.care.signals import contact_logged
        from linli.core.ticks import register_tick_job
        from linli.needs.services.intake import intake_guard_purge
        from linli.needs.services.requests import request_for_contact_needs, requests_escalate_overdue

        contact_logged.connect(request_for_contact_needs, dispatch_uid="linli.needs.contact_needs")

        register_tick_job("超时诉求自动上报", requests_escalate_overdue)
        register_tick_job("清理公开提交计数", intake_guard_purge)
