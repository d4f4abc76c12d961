"""Pages for census sweeps (C2): start one, mark households as you go, see who is left, close it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.reads import audit_read
from linli.care.models import Sweep, SweepHousehold
from linli.care.selectors.sweeps import get_sweep_for_user, sweep_coverage, sweeps_visible_to
from linli.care.services.sweeps import sweep_close, sweep_mark, sweep_start
from linli.core.errors import ServiceError
from linli.core.users import signed_in
from linli.org.selectors.units import get_area_for_user, require_right


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def sweep_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    error = ""
    if request.method == "POST":
        code = request.POST.get("unit", "").strip()
        unit = get_area_for_user(user, code)
        require_right(user, Capability.LOG_CONTACTS, unit.path)
        try:
            sweep = sweep_start(
                actor=user,
                unit=unit,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                building_key=request.POST.get("building_key", "").strip(),
            )
        except ServiceError as exc:
            error = exc.message
        else:
            return redirect("sweep-detail", sweep_id=sweep.pk)
    sweeps = list(sweeps_visible_to(user=user).select_related("unit")[:50])
    rows = [(s, sweep_coverage(sweep=s)) for s in sweeps]
    units = [g.path for g in scope_for(user).grants if g.unit_kind in ("grid", "community")]
    return render(
        request,
        "care/sweep_list.html",
        {"rows": rows, "kinds": Sweep.Kind.choices, "units": units, "error": error, "posted": request.POST},
    )


@login_required
@never_cache
def sweep_detail(request: HttpRequest, sweep_id: int) -> HttpResponse:
    user = signed_in(request.user)
    sweep = get_sweep_for_user(user, sweep_id)
    audit_read(user=user, action="sweep.view", obj=sweep, unit_path=sweep.unit_path)
    households = sweep.households.select_related("address", "visited_by").order_by("outcome", "address__key")
    return render(
        request,
        "care/sweep_detail.html",
        {
            "sweep": sweep,
            "coverage": sweep_coverage(sweep=sweep),
            "households": households,
            "outcomes": [c for c in SweepHousehold.Outcome.choices if c[0] != SweepHousehold.Outcome.PENDING],
            "can_work": scope_for(user).can(Capability.LOG_CONTACTS, sweep.unit_path),
            "is_supervisor": scope_for(user).can(Capability.MANAGE_CARE, sweep.unit_path),
        },
    )


@login_required
@require_POST
def sweep_household(request: HttpRequest, sweep_id: int, household_id: int) -> HttpResponse:
    user = signed_in(request.user)
    sweep = get_sweep_for_user(user, sweep_id)
    household = sweep.households.select_related("sweep", "address").filter(pk=household_id).first()
    if household is None:
        raise Http404
    require_right(user, Capability.LOG_CONTACTS, household.unit_path)
    try:
        sweep_mark(
            actor=user,
            household=household,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("sweep-detail", sweep_id=sweep.pk)


@login_required
@require_POST
def sweep_close_view(request: HttpRequest, sweep_id: int) -> HttpResponse:
    user = signed_in(request.user)
    sweep = get_sweep_for_user(user, sweep_id)
    require_right(user, Capability.LOG_CONTACTS, sweep.unit_path)
    try:
        sweep_close(actor=user, sweep=sweep, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "排查行动已结束")
    return redirect("sweep-detail", sweep_id=sweep.pk)
