"""Permission-bearing reads of departments and the stations they liaise with."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.org.models import Liaison, Unit


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
