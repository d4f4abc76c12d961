from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from linli.accounts import signals  # noqa: F401  (login audit)
