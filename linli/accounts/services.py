"""Every write about accounts: users, memberships, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import ROLE_UNIT_KINDS, ApiToken, Capability, Membership, Role, User
from linli.accounts.selectors import forget_scope, require_capability, scope_for
from linli.audit.services import audit_record
from linli.core.errors import ServiceError
from linli.org.models import Unit


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    display_name: str,
    password: str | None,
    phone: str = "",
    check_password: bool = True,
) -> User:
    """Create an account. Without a password the account cannot sign in until one is set."""
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError("该用户名已被使用", field="username")
    # A password chosen by someone else is changed by its owner at the first sign-in.
    user = User(
        username=username, display_name=display_name, phone=phone, must_change_password=actor is not None
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ServiceError("；".join(exc.messages), field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action="user.create", obj=user)
    return user


@transaction.atomic
def membership_grant(*, actor: Any, user: User, unit: Unit, role: Role | str, title: str = "") -> Membership:
    """Give `user` the role on `unit` (and so on its subtree)."""
    require_capability(actor, Capability.MANAGE_ACCOUNTS, unit.path)
    if unit.kind not in ROLE_UNIT_KINDS[Role(role)]:
        raise ServiceError(f"“{Role(role).label}”不能设在“{unit.level_label}”一级", field="role")
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"title": title}
    )
    if not created and (not membership.is_active or membership.title != title):
        membership.is_active = True
        membership.title = title
        membership.save(update_fields=["is_active", "title"])
    audit_record(
        actor=actor,
        action="membership.grant",
        obj=membership,
        unit_path=unit.path,
        detail={"role": str(role)},
    )
    forget_scope(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership, reason: str) -> Membership:
    require_capability(actor, Capability.MANAGE_ACCOUNTS, membership.unit.path)
    if not reason.strip():
        raise ServiceError("请填写撤销原因", field="reason")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="membership.revoke", obj=membership, unit_path=membership.unit.path, reason=reason
    )
    forget_scope(membership.user)
    return membership


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, label: str = "", session_key: str = "") -> str:
    """A new bearer token for an authenticated user; returned once, stored only as a hash. A token made
    from a web session (`session_key`) is revoked when that session signs out."""
    raw = "ll_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        key_hash=_hash_token(raw),
        label=label.strip()[:50],
        session_key=session_key,
        expires_at=timezone.now() + timedelta(days=settings.LINLI_API_TOKEN_DAYS),
    )
    token.save()
    audit_record(actor=user, action="api_token.issue", obj=token, detail={"label": token.label})
    return raw


def api_token_revoke_raw(*, raw: str) -> bool:
    """Revoke the token whose bearer presents it (API sign-out)."""
    token = ApiToken.objects.filter(key_hash=_hash_token(raw), revoked_at__isnull=True).first()
    if token is None:
        return False
    api_token_revoke(actor=token.user, token=token)
    return True


def api_token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None. Marks the token used (at most once a minute)."""
    if not raw.startswith("ll_") or len(raw) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None or token.user.must_change_password:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _require_security_over(actor: Any, user: User) -> None:
    """A security administrator acts on accounts that hold a role in their subtree, never on their own."""
    if actor is None:
        return
    if actor.pk == user.pk:
        raise ServiceError("不能对自己的账号执行此操作，请由另一位安全保密管理员办理")
    unit_paths = Membership.objects.filter(user=user).values_list("unit__path", flat=True)
    scope = scope_for(actor)
    if not any(scope.can(Capability.MANAGE_SECURITY, path) for path in unit_paths):
        raise ServiceError("您没有在该单位执行此操作的权限")


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user sets a new password; every API token of theirs stops working."""
    if not user.check_password(old_password):
        raise ServiceError("原口令不正确", field="old_password")
    if old_password == new_password:
        raise ServiceError("新口令不能与原口令相同", field="new_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError("；".join(exc.messages), field="new_password") from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=user, action="password.change", obj=user)
    return user


@transaction.atomic
def password_force_change(*, actor: Any, user: User, reason: str) -> User:
    """The user must choose a new password at their next request; their API tokens are revoked."""
    _require_security_over(actor, user)
    if not reason.strip():
        raise ServiceError("请填写原因", field="reason")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=actor, action="password.force_change", obj=user, reason=reason)
    return user


@transaction.atomic
def account_unlock(*, actor: Any, user: User, reason: str) -> int:
    """Clear the failed sign-ins counted against the account (every address)."""
    from axes.handlers.proxy import AxesProxyHandler

    _require_security_over(actor, user)
    if not reason.strip():
        raise ServiceError("请填写原因", field="reason")
    cleared = AxesProxyHandler.reset_attempts(username=user.username)
    audit_record(actor=actor, action="account.unlock", obj=user, reason=reason, detail={"cleared": cleared})
    return cleared


def _random_recovery_codes(device: Any, n: int = 10) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticToken

    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(n)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


def totp_enrol_begin(*, user: User) -> Any:
    """An unconfirmed authenticator for the user (the same one until it is confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


@transaction.atomic
def totp_enrol_confirm(*, user: User, device: Any, code: str) -> list[str]:
    """Confirm the authenticator with a code from it, replacing any earlier one; returns new recovery
    codes (shown once)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from linli.accounts.twofactor import normalise_code

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
    from django_otp.plugins.otp_static.models import StaticDevice

    static, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "恢复码", "confirmed": True})
    codes = _random_recovery_codes(static)
    audit_record(actor=user, action="otp.recovery_codes", obj=static)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: Any, user: User, reason: str) -> None:
    """Remove the user's authenticator and recovery codes: they enrol again at their next sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_security_over(actor, user)
    if not reason.strip():
        raise ServiceError("请填写原因", field="reason")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=actor, action="otp.reset", obj=user, reason=reason)


def _revoke_tokens(tokens: Any) -> int:
    return int(tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now()))


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one token: by its owner, or by a security administrator over the owner."""
    if actor is None or actor.pk != token.user_id:
        _require_security_over(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor: Any, user: User, reason: str) -> int:
    """Revoke every token of the user (a security administrator, e.g. for a lost terminal)."""
    _require_security_over(actor, user)
    if not reason.strip():
        raise ServiceError("请填写原因", field="reason")
    count = _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=actor, action="api_token.revoke_all", obj=user, reason=reason, detail={"count": count})
    return count


@transaction.atomic
def api_tokens_revoke_for_session(*, user: Any, session_key: str) -> int:
    """Signing out of a web session revokes the tokens created from it."""
    if not session_key:
        return 0
    tokens = ApiToken.objects.filter(user=user, session_key=session_key, revoked_at__isnull=True)
    revoked = list(tokens)
    for token in revoked:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoke", obj=token, detail={"at": "logout"})
    return len(revoked)
