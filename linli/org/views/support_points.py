"""Pages for support points: add one to a unit, edit one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from linli.core.errors import ServiceError
from linli.org.forms.support_points import SupportPointForm
from linli.org.selectors.support_points import get_support_point_for_manage
from linli.org.selectors.units import get_unit_for_manage
from linli.org.services.support_points import support_point_create, support_point_update


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
