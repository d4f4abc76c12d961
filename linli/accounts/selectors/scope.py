"""What a user may see and change: the scope rule every selector and access function applies.

- A membership on a geographic unit (district, station, community, grid) covers that unit's whole subtree.
- A membership on a department covers the department itself; through its liaison links the department
  also sees the structure of its stations (unit pages) and, in the request apps, the work escalated to it
  from them. It does not see those stations' residents.
- A membership in a structure-only role (system and security administrators, 三员分立) shows the unit
  structure of its subtree and none of the personal data under it.
- Each membership carries a role; what the user may do at a path is the union of the capabilities of the
  roles whose subtree contains that path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linli.accounts.models import ROLE_CAPABILITIES, STRUCTURE_ONLY_ROLES, Membership, Role
from linli.core import paths


@dataclass(frozen=True)
class Grant:
    path: str
    role: str
    unit_id: int
    unit_kind: str


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...] = ()
    # Stations whose escalated work (and unit structure) the user's departments see.
    liaison_station_paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.grants

    @property
    def full_roots(self) -> list[str]:
        """Geographic subtrees whose data (residents, key persons …) the user may read."""
        return paths.collapse(
            g.path for g in self.grants if g.unit_kind != "department" and g.role not in STRUCTURE_ONLY_ROLES
        )

    @property
    def department_paths(self) -> list[str]:
        return sorted({g.path for g in self.grants if g.unit_kind == "department"})

    @property
    def unit_roots(self) -> list[str]:
        """Subtrees whose units (structure, support points, responsible people) the user may see."""
        structure = [g.path for g in self.grants if g.role in STRUCTURE_ONLY_ROLES]
        return paths.collapse(
            [*self.full_roots, *self.department_paths, *self.liaison_station_paths, *structure]
        )

    def covers(self, path: str) -> bool:
        """True if the path's data lies in the user's geographic scope."""
        return any(paths.is_within(path, root) for root in self.full_roots)

    def sees_unit(self, path: str) -> bool:
        return any(paths.is_within(path, root) for root in self.unit_roots)

    def can(self, capability: str, path: str) -> bool:
        """Whether some role held over `path` grants `capability` there."""
        return any(
            paths.is_within(path, grant.path) and capability in ROLE_CAPABILITIES.get(grant.role, frozenset())
            for grant in self.grants
        )

    def can_anywhere(self, capability: str) -> bool:
        return any(capability in ROLE_CAPABILITIES.get(grant.role, frozenset()) for grant in self.grants)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


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
