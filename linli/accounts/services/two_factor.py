"""Two-factor sign-in: binding an authenticator, recovery codes, and checking a code (TOTP or a one-use
recovery code).

A wrong code is a failed sign-in for the lockout (django-axes) and the audit log, like a wrong password.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import ApiToken, User
from linli.accounts.services.api_tokens import _revoke_tokens
from linli.accounts.services.users import _require_reason, _require_security_over
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError


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


def _random_recovery_codes(device: Any, n: int = 10) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticToken

    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(n)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


def totp_enrol_begin(*, user: User) -> Any:
    """An unconfirmed authenticator for the user (the same one until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


@transaction.atomic
def totp_enrol_confirm(*, user: User, device: Any, code: str) -> list[str]:
    """Confirm the authenticator with a code from it, replacing any earlier one; returns new recovery
    codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise ServiceError("请重新开始绑定")
    if not device.verify_token(normalise_code(code)):
        raise ServiceError("验证码不正确，请核对手机时间后重试", field="code")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    static, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "恢复码", "confirmed": True})
    codes = _random_recovery_codes(static)
    audit_record(actor=user, action="otp.enrol", obj=device)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working."""
    static, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "恢复码", "confirmed": True})
    codes = _random_recovery_codes(static)
    audit_record(actor=user, action="otp.recovery_codes", obj=static)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: Any, user: User, reason: str) -> None:
    """Remove the user's authenticator and recovery codes: they enrol again at their next sign-in."""
    _require_security_over(actor, user)
    _require_reason(reason)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=actor, action="otp.reset", obj=user, reason=reason)
