from __future__ import annotations

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = "一标三实"

    def ready(self) -> None:
        from linli.core.ticks import register_tick_job
        from linli.registry.services.imports.jobs import import_jobs_fail_stuck
        from linli.registry.signals import import_step_queued
        from linli.registry.tasks import enqueue_import_step

        import_step_queued.connect(enqueue_import_step, dispatch_uid="linli.registry.tasks")

        register_tick_job("终止卡住的导入任务", import_jobs_fail_stuck)
