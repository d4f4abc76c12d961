from __future__ import annotations

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "linli.safety"
    label = "safety"
    verbose_name = "矛盾纠纷和隐患"

    def ready(self) -> None:
        from linli.care.signals import contact_logged
        from linli.core.ticks import register_tick_job
        from linli.safety.services.disputes import dispute_checks_remind
        from linli.safety.services.hazards import hazard_for_contact_hazards, hazards_remind_overdue

        contact_logged.connect(hazard_for_contact_hazards, dispatch_uid="linli.safety.contact_hazards")

        register_tick_job("协议回访提醒", dispute_checks_remind)
        register_tick_job("隐患逾期提醒", hazards_remind_overdue)
