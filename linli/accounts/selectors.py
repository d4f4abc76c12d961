"""Permission-bearing reads about accounts, and the scope of a user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linli.accounts.models import Membership, User
from linli.accounts.scope import Grant, Scope

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
