from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "linli.notify"
    label = "notify"
    verbose_name = "通知"
