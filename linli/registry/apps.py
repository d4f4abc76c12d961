from __future__ import annotations

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = "一标三实"
