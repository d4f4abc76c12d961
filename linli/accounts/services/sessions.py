"""Sign-ins and failed sign-ins go to the audit log; sessions note when they began; signing out of a
session revokes the API tokens made from it. AccountsConfig.ready() connects these receivers."""

from __future__ import annotations

from typing import Any

from linli.accounts.middleware import start_session_clock
from linli.accounts.services.api_tokens import api_tokens_revoke_for_session
from linli.audit.services.events import audit_record


def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", obj=user)
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)


def _revoke_session_tokens(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None or request is None or not hasattr(request, "session"):
        return
    api_tokens_revoke_for_session(user=user, session_key=request.session.session_key or "")


def _audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted username only: never the password.
    username = str(credentials.get("username", ""))[:150]
    detail: dict[str, Any] = {"username": username}
    if credentials.get("second_factor"):
        detail["second_factor"] = True
    audit_record(actor=None, action="auth.login_failed", detail=detail)
