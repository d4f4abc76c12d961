"""Station and district pages over requests: the indicators of a unit's children (S6, A2), and the
categories with their urgency, deadline and outside body (district admins configure them)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linli.accounts.roles import Role
from linli.accounts.selectors import scope_for
from linli.care.selectors import get_unit_for_care
from linli.core.errors import ServiceError
from linli.needs.models import RequestCategory, Urgency
from linli.needs.selectors.indicators import request_rates
from linli.needs.services.categories import request_category_set
from linli.org.selectors import ancestors_of, children_visible_to

DEFAULT_DAYS = 30
MAX_DAYS = 366


class RatesPeriodForm(forms.Form):
    start = forms.DateField(
        label="从",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )
    end = forms.DateField(
        label="到",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            raise forms.ValidationError("结束日期不能早于开始日期")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError("统计期间最长一年")
        data["start"], data["end"] = start, end
        return data


@login_required
@never_cache
def request_rates_page(request: HttpRequest, code: str) -> HttpResponse:
    """诉求办理情况: per child unit, requests filed in the period, solved on time, escalated, satisfaction."""
    unit = get_unit_for_care(request.user, code)
    form = RatesPeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=DEFAULT_DAYS - 1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not form.is_bound:
        form = RatesPeriodForm(initial={"start": start, "end": end})
    children = list(children_visible_to(user=request.user, unit=unit))
    rows = request_rates(units=children, start=start, end=end) if children else []
    (total,) = request_rates(units=[unit], start=start, end=end)
    return render(
        request,
        "needs/rates.html",
        {
            "unit": unit,
            "ancestors": [a for a in ancestors_of(unit=unit) if scope_for(request.user).covers(a.path)],
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "total": total,
            "query": request.GET,
        },
    )


class CategoryForm(forms.Form):
    code = forms.CharField(label="编码", max_length=40)
    name = forms.CharField(label="名称", max_length=50)
    default_urgency = forms.ChoiceField(label="默认紧急程度", choices=Urgency.choices)
    deadline_hours = forms.IntegerField(
        label="每级办理时限（小时，可空）",
        required=False,
        error_messages={"invalid": "请填写整数小时"},
    )
    handoff_body = forms.CharField(label="主管部门（可空）", max_length=100, required=False)
    description = forms.CharField(label="说明", max_length=200, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


def _require_district_admin(user: Any) -> None:
    if not scope_for(user).has_role(Role.DISTRICT_ADMIN):
        raise PermissionDenied


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest) -> HttpResponse:
    """诉求类别: each with its default urgency, its limit per level and the outside body it goes to."""
    _require_district_admin(request.user)
    form = CategoryForm(request.POST or None, initial={"default_urgency": Urgency.NORMAL, "is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            category = request_category_set(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已保存类别“{category.name}”")
            return redirect("request-categories")
    editing = request.GET.get("edit", "")
    if request.method == "GET" and editing:
        found = RequestCategory.objects.filter(code=editing).first()
        if found is not None:
            form = CategoryForm(
                initial={
                    "code": found.code,
                    "name": found.name,
                    "default_urgency": found.default_urgency,
                    "deadline_hours": found.deadline_hours,
                    "handoff_body": found.handoff_body,
                    "description": found.description,
                    "is_active": found.is_active,
                }
            )
    categories = list(RequestCategory.objects.order_by("sort_order", "id"))
    return render(
        request,
        "needs/categories.html",
        {
            "categories": [(c, {u: c.hours_for(u) for u in Urgency.values}) for c in categories],
            "urgencies": Urgency.choices,
            "form": form,
            "editing": editing,
        },
    )
