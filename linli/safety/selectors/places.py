"""Where disputes and hazards are logged: the grids and communities under a unit, their community and its
community officer, and how a place is named (its breadcrumbs: linli.org.selectors.units)."""

from __future__ import annotations

from linli.accounts.models import Capability, Membership, Role, User
from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.org.models import Unit

# Depth of a community in the unit tree (district 0, station 1, community 2, grid 3).
COMMUNITY_DEPTH = 2


def community_path_of(path: str) -> str:
    """The community a grid or community path lies in."""
    return paths.SEPARATOR.join(path.split(paths.SEPARATOR)[: COMMUNITY_DEPTH + 1])


def community_officer_of(*, path: str) -> User | None:
    """The community officer (社区民警) of the community that `path` lies in, or None.

    The unit's named responsible person wins when they hold the role there; otherwise the longest-serving.
    """
    community = Unit.objects.filter(path=community_path_of(path), kind=Unit.Kind.COMMUNITY).first()
    if community is None:
        return None
    officers = (
        Membership.objects.filter(
            unit=community, role=Role.COMMUNITY_OFFICER, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("created_at", "id")
    )
    users = [m.user for m in officers]
    named = [u for u in users if u.pk == community.responsible_id]
    return next(iter(named or users), None)


def places_under(*, user: User, unit: Unit) -> list[Unit]:
    """The communities and grids under `unit` (and the unit itself) where the user may log, by path.

    A district has thousands: its pages send the user to a station or community to log instead.
    """
    if unit.kind == Unit.Kind.DISTRICT:
        return []
    scope = scope_for(user)
    units = (
        Unit.objects.filter(
            paths.subtree_q("path", unit.path),
            kind__in=[Unit.Kind.COMMUNITY, Unit.Kind.GRID],
            is_active=True,
        )
        .select_related("parent")
        .order_by("path")
    )
    return [u for u in units if scope.can(Capability.HANDLE_SAFETY, u.path)]


def unit_names(unit_paths: set[str]) -> dict[str, Unit]:
    """Units by path, for naming the grid or community of rows the caller already read."""
    return {u.path: u for u in Unit.objects.filter(path__in=sorted(unit_paths)).select_related("parent")}
