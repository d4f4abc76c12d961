"""Permission-bearing reads about accounts, and the scope of a user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import ApiToken, Membership, User
from linli.accounts.scope import Grant, Scope
from linli.core import paths

_CACHE_ATTR = "_linli_scope"


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per request object (two queries at most)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from linli.org.models import Liaison

    memberships = list(
        Membership.objects.filter(user=user, is_active=True, unit__is_active=True)
        .select_related("unit")
        .only("role", "unit__id", "unit__path", "unit__kind")
    )
    grants = tuple(Grant(m.unit.path, m.role, m.unit.id, m.unit.kind) for m in memberships)
    department_ids = [g.unit_id for g in grants if g.unit_kind == "department"]
    liaison_paths: tuple[str, ...] = ()
    if department_ids:
        liaison_paths = tuple(
            sorted(
                set(
                    Liaison.objects.filter(department_id__in=department_ids).values_list(
                        "station__path", flat=True
                    )
                )
            )
        )
    scope = Scope(grants=grants, liaison_station_paths=liaison_paths, roles=frozenset(g.role for g in grants))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def require_capability(actor: Any, capability: str, path: str) -> None:
    """Services call this before a write. `actor=None` is the system itself (demo, operator commands)."""
    from linli.core.errors import ServiceError

    if actor is not None and not scope_for(actor).can(capability, path):
        raise ServiceError("您没有在该单位执行此操作的权限")


def forget_scope(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("unit", "unit__scheme")
        .order_by("unit__path", "role")
    )


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked and expired ones too, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_own_api_token(user: Any, token_id: int) -> ApiToken:
    """One of the user's own tokens; "absent" and "someone else's" are the same 404."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404
    return token


def _security_roots(user: Any) -> list[str]:
    from linli.accounts.models import Capability

    scope = scope_for(user)
    return [g.path for g in scope.grants if scope.can(Capability.MANAGE_SECURITY, g.path)]


def managed_accounts(*, user: Any, query: str = "", limit: int = 200) -> QuerySet[User]:
    """Accounts holding a role in the subtrees where `user` manages security, with their two-factor,
    lockout and token state; the user's own account is not among them."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    roots = _security_roots(user)
    if not roots:
        return User.objects.none()
    in_scope = Membership.objects.filter(paths.any_subtree_q("unit__path", roots), is_active=True)
    failures = (
        AccessAttempt.objects.filter(
            username=OuterRef("username"), attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    accounts = (
        User.objects.filter(pk__in=in_scope.values("user_id"))
        .exclude(pk=user.pk)
        .annotate(
            has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            live_tokens=Count(
                "api_tokens",
                filter=Q(api_tokens__revoked_at__isnull=True, api_tokens__expires_at__gt=timezone.now()),
            ),
            failures=Coalesce(Subquery(failures), 0),
        )
        .order_by("username")
    )
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return accounts[:limit]


def get_managed_account(user: Any, username: str) -> User:
    """An account the security administrator acts on; outside their subtree is the same 404 as absent."""
    roots = _security_roots(user)
    found = (
        User.objects.filter(
            username=username,
            memberships__in=Membership.objects.filter(
                paths.any_subtree_q("unit__path", roots), is_active=True
            ),
        )
        .exclude(pk=user.pk)
        .first()
        if roots
        else None
    )
    if found is None:
        raise Http404
    return found
