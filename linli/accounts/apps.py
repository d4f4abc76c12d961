from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from linli.accounts.services.sessions import _audit_login, _audit_login_failed, _revoke_session_tokens

        # The login audit, and signing out of a session revokes the API tokens made from it.
        user_logged_in.connect(_audit_login)
        user_logged_out.connect(_revoke_session_tokens)
        user_login_failed.connect(_audit_login_failed)
