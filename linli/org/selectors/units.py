"""Permission-bearing reads of the unit tree, and access to one unit.

Object access: "does not exist" and "not yours" are the same 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.http import Http404

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.org.models import Unit


class ReadOnlyAccess(PermissionDenied):
    """The user may see this object but not change it (views answer 403)."""


def get_unit_for_user(user: Any, code: str) -> Unit:
    unit = Unit.objects.select_related("scheme", "responsible", "parent").filter(code=code).first()
    if unit is None:
        raise Http404
    if not unit.is_active:
        raise Http404
    if not scope_for(user).sees_unit(unit.path):
        raise Http404
    return unit


def get_unit_for_manage(user: Any, code: str) -> Unit:
    unit = get_unit_for_user(user, code)
    if not scope_for(user).can(Capability.MANAGE_UNITS, unit.path):
        raise ReadOnlyAccess
    return unit


def units_visible_to(*, user: Any) -> QuerySet[Unit]:
    """Units whose structure the user may see (their subtrees, their departments, liaison stations)."""
    scope = scope_for(user)
    return Unit.objects.filter(paths.any_subtree_q("path", scope.unit_roots), is_active=True).select_related(
        "scheme"
    )


def _with_counts(queryset: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate each unit with its direct children and the grids anywhere beneath it (one query)."""
    grids_below = (
        Unit.objects.filter(
            kind=Unit.Kind.GRID,
            is_active=True,
            path__gt=Concat(OuterRef("path"), Value(paths.SEPARATOR)),
            path__lt=Concat(OuterRef("path"), Value("/")),
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(
        child_count=Count(
            "children",
            filter=Q(children__is_active=True) & ~Q(children__kind=Unit.Kind.DEPARTMENT),
            distinct=True,
        ),
        grid_count=Coalesce(Subquery(grids_below, output_field=IntegerField()), 0),
    )


def top_units_visible_to(*, user: Any) -> QuerySet[Unit]:
    """The units at the top of the user's scope, with counts."""
    scope = scope_for(user)
    roots = scope.unit_roots
    return _with_counts(
        Unit.objects.filter(path__in=roots, is_active=True).select_related("scheme")
    ).order_by("kind", "sort_order", "path")


def children_visible_to(*, user: Any, unit: Unit) -> QuerySet[Unit]:
    """The geographic children of a unit the user may see, with counts."""
    return _with_counts(
        units_visible_to(user=user)
        .filter(parent=unit)
        .exclude(kind=Unit.Kind.DEPARTMENT)
        .select_related("responsible")
    ).order_by("sort_order", "path")


def ancestors_of(*, unit: Unit) -> list[Unit]:
    """The units above, root first (names for breadcrumbs; seeing them does not grant access)."""
    ancestor_paths = unit.ancestor_paths()
    by_path = {u.path: u for u in Unit.objects.filter(path__in=ancestor_paths)}
    return [by_path[p] for p in ancestor_paths if p in by_path]


def breadcrumbs_for(user: Any, unit: Unit) -> list[Unit]:
    """The units above `unit` whose pages the user may open, root first (a grid worker's grid page has
    none above it). The one breadcrumb of every care, safety and request page of a unit."""
    scope = scope_for(user)
    return [a for a in ancestors_of(unit=unit) if scope.covers(a.path)]


def subtree_counts(*, unit: Unit) -> dict[str, int]:
    """How many units of each kind lie strictly under `unit`."""
    rows = (
        Unit.objects.filter(paths.strict_subtree_q("path", unit.path), is_active=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}


def require_right(user: Any, capability: str, path: str) -> None:
    """403 (`ReadOnlyAccess`) for a user who may read at `path` but not do what `capability` allows
    there: an auditor, a department, a grid worker on a station's ledger. Pages and endpoints call it
    before a service runs, so that read-only users get 403 and not the service's 422; the services
    check again (`linli.accounts.selectors.scope.require_capability`)."""
    if not scope_for(user).can(capability, path):
        raise ReadOnlyAccess


def get_area_for_user(user: Any, code: str) -> Unit:
    """A district, station, community or grid whose people and cases the user may read in full; else
    404. The unit behind every care, safety and request page that takes a unit code.

    Departments are not areas: they see the structure of their liaison stations, not the people in
    them, so a department's code, and any unit outside the user's full scope, is a 404.
    """
    unit = Unit.objects.select_related("scheme", "parent").filter(code=code).first()
    if unit is None:
        raise Http404
    if not unit.is_active:
        raise Http404
    if unit.kind == Unit.Kind.DEPARTMENT:
        raise Http404
    if not scope_for(user).covers(unit.path):
        raise Http404
    return unit
