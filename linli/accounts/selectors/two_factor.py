"""Two-factor sign-in: who must use it, and what an account has bound."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import TWO_FACTOR_EXEMPTABLE_ROLES
from linli.accounts.selectors.scope import scope_for


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
