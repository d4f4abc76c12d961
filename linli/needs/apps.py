from __future__ import annotations

from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "linli.needs"
    label = "needs"
    verbose_name = "群众诉求"
