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

from linli.accounts.models import ApiToken, Membership, User
from linli.accounts.roles import ROLE_UNIT_KINDS, Capability, Role
from linli.accounts.selectors import forget_scope, require_capability
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
    user = User(username=username, display_name=display_name, phone=phone)
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
def api_token_issue(*, user: User) -> str:
    """A new bearer token for an authenticated user; returned once, stored only as a hash."""
    raw = "ll_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(raw),
        expires_at=timezone.now() + timedelta(days=settings.LINLI_API_TOKEN_DAYS),
    )
    audit_record(actor=user, action="api_token.issue", obj=token)
    return raw


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
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
