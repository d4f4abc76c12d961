"""Every write about accounts and memberships, and what a security administrator does to an account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.models import ADMIN_REASON_MAX_LENGTH, ROLE_UNIT_KINDS, Capability, Membership, Role, User
from linli.accounts.selectors.scope import forget_scope, require_capability, scope_for
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.core.limits import too_long
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
    _require_reason(reason, missing="请填写撤销原因")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="membership.revoke", obj=membership, unit_path=membership.unit.path, reason=reason
    )
    forget_scope(membership.user)
    return membership


def _require_reason(reason: str, *, missing: str = "请填写原因") -> None:
    """An administrator's reason for acting on an account: given, and within its one limit."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(missing, field="reason")
    if len(reason) > ADMIN_REASON_MAX_LENGTH:
        raise ServiceError(too_long(ADMIN_REASON_MAX_LENGTH), field="reason")


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
def account_unlock(*, actor: Any, user: User, reason: str) -> int:
    """Clear the failed sign-ins counted against the account (every address)."""
    from axes.handlers.proxy import AxesProxyHandler

    _require_security_over(actor, user)
    _require_reason(reason)
    cleared = AxesProxyHandler.reset_attempts(username=user.username)
    audit_record(actor=actor, action="account.unlock", obj=user, reason=reason, detail={"cleared": cleared})
    return cleared
