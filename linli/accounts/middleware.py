"""The gate every signed-in web request passes: session limits, two-factor login, forced password change.

Until a user who must use a second factor has given a code, and until a user told to change their
password has done so, the only pages they reach are the ones that let them do it (and signing out).
API requests with a bearer token do not pass here: a token is only issued after the same checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from linli.accounts.selectors.two_factor import has_authenticator, two_factor_required

STARTED_KEY = "linli_started"
SEEN_KEY = "linli_seen"
EXPIRED_MESSAGE = "登录已超时，请重新登录"
# Pages open to a signed-in user who has not passed the gate yet.
_OPEN_PREFIXES = ("/static/", "/healthz", "/logout/")


def start_session_clock(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


def _expired(request: HttpRequest) -> bool:
    """Whether the session ran past its idle or absolute limit; otherwise note this request."""
    now = int(time.time())
    started = request.session.get(STARTED_KEY)
    seen = request.session.get(SEEN_KEY)
    if not isinstance(started, int) or not isinstance(seen, int):
        start_session_clock(request)
        return False
    if now - seen > settings.LINLI_SESSION_IDLE_MINUTES * 60:
        return True
    if now - started > settings.LINLI_SESSION_MAX_HOURS * 3600:
        return True
    # Saving the session costs a write: once a minute is precise enough for a 30-minute limit.
    if now - seen >= 60:
        request.session[SEEN_KEY] = now
    return False


def _deny(request: HttpRequest, url: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=401, json_dumps_params={"ensure_ascii": False})
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest, **extra: str) -> str:
    query = {**extra}
    if request.method == "GET" and not request.path.startswith("/api/"):
        query["next"] = request.get_full_path()
    return f"{url}?{urlencode(query)}" if query else url


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path.startswith(_OPEN_PREFIXES):
            return self.get_response(request)
        if _expired(request):
            logout(request)
            return _deny(request, _with_next(reverse("login"), request, expired="1"), EXPIRED_MESSAGE)
        if two_factor_required(user) and not user.is_verified():  # type: ignore[attr-defined]
            target = reverse("otp-verify") if has_authenticator(user) else reverse("otp-setup")
            if request.path != target:
                return _deny(request, _with_next(target, request), "请先完成两步验证")
            return self.get_response(request)
        if getattr(user, "must_change_password", False):
            target = reverse("password-change")
            if request.path != target:
                return _deny(request, _with_next(target, request), "请先修改口令")
        return self.get_response(request)
