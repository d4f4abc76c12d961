"""Pages for the unit tree: browse, unit page, support points."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.core.errors import ServiceError
from linli.org.forms import SupportPointForm
from linli.org.selectors.departments import departments_visible_to, liaison_departments_of
from linli.org.selectors.support_points import get_support_point_for_manage, support_points_of
from linli.org.selectors.units import (
    ancestors_of,
    children_visible_to,
    get_unit_for_manage,
    get_unit_for_user,
    subtree_counts,
    top_units_visible_to,
)
from linli.org.services.support_points import support_point_create, support_point_update


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


@login_required
@require_http_methods(["GET", "POST"])
def support_point_new(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_manage(request.user, code)
    form = SupportPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support_point_create(
                actor=request.user,
                unit=unit,
                kind=data["kind"],
                name=data["name"],
                address=data["address"],
                phone=data["phone"],
                opening_hours=data["opening_hours"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已新增服务点位“{data['name']}”")
            return redirect("unit-detail", code=unit.code)
    return render(request, "org/support_point_form.html", {"unit": unit, "form": form, "point": None})


@login_required
@require_http_methods(["GET", "POST"])
def support_point_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    point = get_support_point_for_manage(request.user, point_id)
    initial = {
        "kind": point.kind,
        "name": point.name,
        "address": point.address,
        "phone": point.phone,
        "opening_hours": point.opening_hours,
        "is_active": point.is_active,
    }
    form = SupportPointForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support_point_update(
                actor=request.user,
                point=point,
                name=data["name"],
                address=data["address"],
                phone=data["phone"],
                opening_hours=data["opening_hours"],
                is_active=data["is_active"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已保存服务点位“{point.name}”")
            return redirect("unit-detail", code=point.unit.code)
    return render(request, "org/support_point_form.html", {"unit": point.unit, "form": form, "point": point})
