"""Two-factor sign-in: who must use it, and checking a code (TOTP or a one-use recovery code).

A wrong code is a failed sign-in for the lockout (django-axes) and the audit log, like a wrong password.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import TWO_FACTOR_EXEMPTABLE_ROLES
from linli.accounts.selectors import scope_for


def two_factor_required(user: Any) -> bool:
    """Whether this account must sign in with a second factor under the current settings."""
    if not settings.LINLI_2FA_REQUIRED:
        return False
    roles = scope_for(user).roles
    only_grid_roles = bool(roles) and roles <= TWO_FACTOR_EXEMPTABLE_ROLES
    return not only_grid_roles or bool(settings.LINLI_2FA_GRID_WORKERS)


def has_authenticator(user: Any) -> bool:
    """Whether the account has a confirmed authenticator app (TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def match_code(user: Any, code: str) -> Device | None:
    """The confirmed device that accepts `code` (a recovery code is used up), or None."""
    code = normalise_code(code)
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def is_locked(request: HttpRequest, user: Any) -> bool:
    AxesProxyHandler.update_request(request)
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def count_failure(request: HttpRequest, user: Any) -> bool:
    """Record a wrong code as a failed sign-in; True if that locked the account out."""
    AxesProxyHandler.update_request(request)
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username(), "second_factor": True}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))
