"""Hazard pages (P2): a unit's register, a hazard with its re-checks, logging one, the 隐患清零 summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.reads import audit_read
from linli.core.errors import ServiceError
from linli.core.spreadsheet import XLSX_CONTENT_TYPE, download_response
from linli.core.users import signed_in
from linli.org.models import Unit
from linli.org.selectors.units import breadcrumbs_for, get_area_for_user, require_right
from linli.safety.forms.hazards import HazardForm, RecheckForm, SummaryPeriodForm
from linli.safety.models import Hazard
from linli.safety.selectors.hazards import (
    HAZARD_FILTERS,
    get_hazard_for_handling,
    get_hazard_for_user,
    hazard_counts,
    hazard_rechecks,
    hazard_summary,
    hazard_summary_xlsx,
    hazards_in,
)
from linli.safety.selectors.places import places_under, unit_names
from linli.safety.services.hazards import hazard_recheck, hazard_record
from linli.safety.views.disputes import ROWS_PER_PAGE
from linli.safety.views.places import labels_for, place_choices


@login_required
@never_cache
@require_GET
def hazard_register(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's hazards: open (most urgent deadline first), overdue, cleared or all."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    today = timezone.localdate()
    state = request.GET.get("state", "open")
    if state not in HAZARD_FILTERS:
        state = "open"
    queryset = hazards_in(user=user, on=today, unit=unit, state="" if state == "all" else state)
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    labels = labels_for({h.unit_path for h in page})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "safety/hazard_register.html",
        {
            "unit": unit,
            "unit_label": unit.place_name,
            "ancestors": breadcrumbs_for(user, unit),
            "today": today,
            "state": state,
            "filters": HAZARD_FILTERS,
            "page": page,
            "rows": [
                (h, labels.get(h.unit_path, ""), (h.deadline - today).days, (today - h.deadline).days)
                for h in page
            ],
            "counts": hazard_counts(user=user, unit=unit, on=today),
            "can_log": unit.kind != Unit.Kind.DISTRICT
            and scope_for(user).can(Capability.HANDLE_SAFETY, unit.path),
            "query": query,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def hazard_new(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    require_right(user, Capability.HANDLE_SAFETY, unit.path)
    places = {u.code: u for u in places_under(user=user, unit=unit)}
    form = HazardForm(
        request.POST if request.method == "POST" else None, places=place_choices(list(places.values()))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hazard = hazard_record(
                actor=user,
                unit=places[data["unit"]],
                kind=data["kind"],
                risk_level=data["risk_level"],
                source=data["source"],
                description=data["description"],
                place=data["place"],
                responsible_party=data["responsible_party"],
                found_on=data["found_on"],
                deadline=data["deadline"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已登记隐患，整改期限 {hazard.deadline:%Y-%m-%d}")
            return redirect("hazard-detail", hazard_id=hazard.pk)
    return render(
        request,
        "safety/hazard_form.html",
        {
            "unit": unit,
            "ancestors": breadcrumbs_for(user, unit),
            "form": form,
            "has_places": bool(places),
        },
    )


def _render_hazard(request: HttpRequest, hazard: Hazard, *, form: RecheckForm | None = None) -> HttpResponse:
    user = signed_in(request.user)
    today = timezone.localdate()
    can_handle = scope_for(user).can(Capability.HANDLE_SAFETY, hazard.unit_path)
    is_open = hazard.state == Hazard.State.OPEN
    place = unit_names({hazard.unit_path}).get(hazard.unit_path)
    return render(
        request,
        "safety/hazard_detail.html",
        {
            "hazard": hazard,
            "place": labels_for({hazard.unit_path}).get(hazard.unit_path, ""),
            "register_code": place.code if place else "",
            "rechecks": hazard_rechecks(hazard=hazard),
            "form": (form or RecheckForm()) if can_handle and is_open else None,
            "form_open": form is not None,
            "days_left": (hazard.deadline - today).days,
            "days_late": (today - hazard.deadline).days,
            "today": today,
        },
    )


@login_required
@never_cache
@require_GET
def hazard_detail(request: HttpRequest, hazard_id: int) -> HttpResponse:
    user = signed_in(request.user)
    hazard = get_hazard_for_user(user, hazard_id)
    audit_read(user=user, action="hazard.view", obj=hazard, unit_path=hazard.unit_path)
    return _render_hazard(request, hazard)


@login_required
@require_POST
def hazard_recheck_view(request: HttpRequest, hazard_id: int) -> HttpResponse:
    user = signed_in(request.user)
    hazard = get_hazard_for_handling(user, hazard_id)
    form = RecheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            hazard_recheck(
                actor=user,
                hazard=hazard,
                cleared=data["cleared"],
                note=data["note"],
                new_deadline=data["new_deadline"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已复查：隐患已整改销号" if data["cleared"] else "已登记复查情况")
            return redirect("hazard-detail", hazard_id=hazard.pk)
    return _render_hazard(request, hazard, form=form)


@login_required
@never_cache
@require_GET
def hazard_summary_view(request: HttpRequest, code: str) -> HttpResponse:
    """Per community under a unit over a period: found, cleared, still open, overdue (隐患清零)."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    today = timezone.localdate()
    form = SummaryPeriodForm(request.GET if {"from", "to"} & set(request.GET) else None, today=today)
    start, end = form.period()
    summary = hazard_summary(user=user, unit=unit, start=start, end=end)
    return render(
        request,
        "safety/hazard_summary.html",
        {
            "unit": unit,
            "ancestors": breadcrumbs_for(user, unit),
            "form": form,
            "summary": summary,
            "export_query": f"from={start:%Y-%m-%d}&to={end:%Y-%m-%d}",
        },
    )


@login_required
@never_cache
@require_GET
def hazard_summary_export(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    form = SummaryPeriodForm(
        request.GET if {"from", "to"} & set(request.GET) else None, today=timezone.localdate()
    )
    start, end = form.period()
    data = hazard_summary_xlsx(user=user, unit=unit, start=start, end=end)
    filename = f"{unit.name}隐患排查整改-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return download_response(data, filename=filename, content_type=XLSX_CONTENT_TYPE)
