"""Permission-bearing reads of the unit tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from linli.accounts.selectors import scope_for
from linli.core import paths
from linli.org.models import Liaison, SupportPoint, Unit


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


def departments_visible_to(*, user: Any) -> QuerySet[Unit]:
    """Departments the user may see, each with its liaison stations prefetched.

    That is the departments in the user's unit scope, and the departments that liaise with a station
    the user works in or under (a grid worker knows where their station's problems go).
    """
    scope = scope_for(user)
    station_paths: set[str] = set()
    for root in scope.full_roots:
        parts = root.split(paths.SEPARATOR)
        if len(parts) >= 2:
            station_paths.add(paths.SEPARATOR.join(parts[:2]))
    in_scope = paths.any_subtree_q("path", scope.unit_roots)
    liaising = Q(pk__in=[])
    if station_paths:
        liaising = Q(liaison_links__station__path__in=sorted(station_paths))
    return (
        Unit.objects.filter(in_scope | liaising, kind=Unit.Kind.DEPARTMENT, is_active=True)
        .distinct()
        .prefetch_related(
            Prefetch(
                "liaison_links",
                queryset=Liaison.objects.select_related("station").order_by("station__sort_order"),
            )
        )
        .order_by("sort_order", "path")
    )


def liaison_departments_of(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, liaison_links__station=unit).order_by("sort_order")


def support_points_of(*, unit: Unit) -> QuerySet[SupportPoint]:
    """Support points of the unit and of its direct children (the caller has already accessed `unit`).

    One level down only: a district page listing every 警务室 of 300 committees would be too heavy for
    a phone, and each station's page lists its own.
    """
    return (
        SupportPoint.objects.filter(Q(unit=unit) | Q(unit__parent=unit), is_active=True)
        .select_related("unit")
        .order_by("unit__path", "kind", "name")
    )


def ancestors_of(*, unit: Unit) -> list[Unit]:
    """The units above, root first (names for breadcrumbs; seeing them does not grant access)."""
    ancestor_paths = unit.ancestor_paths()
    by_path = {u.path: u for u in Unit.objects.filter(path__in=ancestor_paths)}
    return [by_path[p] for p in ancestor_paths if p in by_path]


def subtree_counts(*, unit: Unit) -> dict[str, int]:
    """How many units of each kind lie strictly under `unit`."""
    rows = (
        Unit.objects.filter(paths.strict_subtree_q("path", unit.path), is_active=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}
