"""Pages for the unit tree: browse, unit page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.org.selectors.departments import departments_visible_to, liaison_departments_of
from linli.org.selectors.support_points import support_points_of
from linli.org.selectors.units import (
    ancestors_of,
    children_visible_to,
    get_unit_for_user,
    subtree_counts,
    top_units_visible_to,
)


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "org/unit_tree.html",
        {
            "top_units": top_units_visible_to(user=request.user),
            "departments": departments_visible_to(user=request.user),
        },
    )


@login_required
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    """The children of a unit as list items, for expanding the tree in place (htmx)."""
    unit = get_unit_for_user(request.user, code)
    return render(
        request,
        "org/_unit_children.html",
        {"unit": unit, "children": children_visible_to(user=request.user, unit=unit)},
    )


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    scope = scope_for(request.user)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors_of(unit=unit),
            "children": children_visible_to(user=request.user, unit=unit),
            "counts": subtree_counts(unit=unit),
            "support_points": support_points_of(unit=unit)[:200],
            "liaison_departments": liaison_departments_of(unit=unit),
            "liaison_stations": [link.station for link in unit.liaison_links.select_related("station")],
            "can_manage": scope.can(Capability.MANAGE_UNITS, unit.path),
            # Population pages exist for units whose people the user may see (not a department's view).
            "covers_population": scope.covers(unit.path) and not unit.is_department,
        },
    )
