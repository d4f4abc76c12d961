"""Dispute pages (P1): a unit's register with the checks due, a dispute, logging one."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.core.errors import ServiceError
from linli.core.users import signed_in
from linli.org.models import Unit
from linli.org.selectors.units import breadcrumbs_for, get_area_for_user, require_right
from linli.safety.forms.disputes import CheckForm, DisputeForm, MediationForm, TransferForm
from linli.safety.models import Dispute, DisputeCheck
from linli.safety.selectors.disputes import (
    dispute_checks_due,
    dispute_counts,
    dispute_parties,
    dispute_timeline,
    disputes_in,
    get_dispute_check,
    get_dispute_detail_for_user,
    get_dispute_for_handling,
    transfer_candidates,
)
from linli.safety.selectors.places import places_under, unit_names
from linli.safety.services.disputes import (
    dispute_check_record,
    dispute_log,
    dispute_mediate,
    dispute_transfer,
)
from linli.safety.views.places import labels_for, place_choices

ROWS_PER_PAGE = 30
CHECKS_SHOWN = 30
DISPUTE_FILTERS = {"open": "待化解", "resolved": "已化解", "all": "全部"}


def _today() -> datetime.date:
    return timezone.localdate()


def _form_error(form: forms.BaseForm, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@never_cache
@require_GET
def dispute_register(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's disputes (open, resolved or all) and the agreements to check."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    today = _today()
    state = request.GET.get("state", "open")
    if state not in DISPUTE_FILTERS:
        state = "open"
    queryset = disputes_in(user=user, unit=unit, state="" if state == "all" else state)
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    checks = list(dispute_checks_due(user=user, on=today, unit=unit)[:CHECKS_SHOWN])
    labels = labels_for({d.unit_path for d in page} | {c.unit_path for c in checks})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "safety/dispute_register.html",
        {
            "unit": unit,
            "unit_label": unit.place_name,
            "ancestors": breadcrumbs_for(user, unit),
            "today": today,
            "state": state,
            "filters": DISPUTE_FILTERS,
            "page": page,
            "rows": [(d, labels.get(d.unit_path, "")) for d in page],
            "counts": dispute_counts(user=user, unit=unit, on=today),
            "checks": [(c, labels.get(c.unit_path, ""), (today - c.due_on).days) for c in checks],
            "can_log": unit.kind != Unit.Kind.DISTRICT
            and scope_for(user).can(Capability.HANDLE_SAFETY, unit.path),
            "query": query,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def dispute_new(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    require_right(user, Capability.HANDLE_SAFETY, unit.path)
    places = {u.code: u for u in places_under(user=user, unit=unit)}
    form = DisputeForm(
        request.POST if request.method == "POST" else None, places=place_choices(list(places.values()))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = dispute_log(
                actor=user,
                unit=places[data["unit"]],
                kind=data["kind"],
                summary=data["summary"],
                occurred_on=data["occurred_on"],
                place=data["place"],
                parties=form.parties(),
                resolved_on_spot=data["resolved_on_spot"],
                outcome=data["outcome"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            if dispute.resolved_on_spot:
                messages.success(request, "已登记，当场化解；协议后 7 天、30 天回访已排期")
            elif dispute.owner_id != user.pk:
                messages.success(request, f"已登记，并移交社区民警{dispute.owner}跟进")
            else:
                messages.success(request, "已登记")
            return redirect("dispute-detail", dispute_id=dispute.pk)
    return render(
        request,
        "safety/dispute_form.html",
        {
            "unit": unit,
            "ancestors": breadcrumbs_for(user, unit),
            "form": form,
            "has_places": bool(places),
        },
    )


def _render_dispute(
    request: HttpRequest,
    dispute: Dispute,
    *,
    transfer_form: TransferForm | None = None,
    mediation_form: MediationForm | None = None,
    check_form: tuple[int, CheckForm] | None = None,
    open_action: str = "",
) -> HttpResponse:
    user = signed_in(request.user)
    today = _today()
    can_handle = scope_for(user).can(Capability.HANDLE_SAFETY, dispute.unit_path)
    parties = dispute_parties(dispute=dispute)
    candidates = transfer_candidates(dispute=dispute) if can_handle else []
    if can_handle and transfer_form is None and candidates:
        transfer_form = TransferForm(candidates=_candidate_choices(candidates))
    if can_handle and mediation_form is None and dispute.state == Dispute.State.OPEN:
        mediation_form = MediationForm(party_names="、".join(p.name for p in parties))
    checks = list(dispute.checks.select_related("checked_by").order_by("due_on", "id"))
    check_rows = []
    for check in checks:
        form = None
        if can_handle and check.state == DisputeCheck.State.PENDING:
            form = (
                check_form[1]
                if check_form and check_form[0] == check.pk
                else CheckForm(prefix=f"c{check.pk}")
            )
        check_rows.append((check, form, (today - check.due_on).days))
    labels = labels_for({dispute.unit_path})
    mediations = list(dispute.mediations.select_related("mediated_by").order_by("created_at", "id"))
    agreements = [m for m in mediations if m.agreed]
    return render(
        request,
        "safety/dispute_detail.html",
        {
            "dispute": dispute,
            "place": labels.get(dispute.unit_path, ""),
            "parties": parties,
            "timeline": dispute_timeline(dispute=dispute),
            "mediations": mediations,
            # The latest agreement: the one the checks are about (a broken one stays on the timeline).
            "agreement": agreements[-1] if agreements else None,
            "check_rows": check_rows,
            "can_handle": can_handle,
            "transfer_form": transfer_form if candidates else None,
            "mediation_form": mediation_form if dispute.state == Dispute.State.OPEN else None,
            "open_action": open_action,
            "open_check": check_form[0] if check_form else None,
            "register_code": _register_code(dispute.unit_path),
            "today": today,
        },
    )


def _register_code(unit_path: str) -> str:
    unit = unit_names({unit_path}).get(unit_path)
    return unit.code if unit else ""


def _candidate_choices(candidates: list[User]) -> list[tuple[str, str]]:
    return [(str(u.pk), str(u)) for u in candidates]


@login_required
@never_cache
@require_GET
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = signed_in(request.user)
    return _render_dispute(request, get_dispute_detail_for_user(user, dispute_id))


@login_required
@require_POST
def dispute_transfer_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = signed_in(request.user)
    dispute = get_dispute_for_handling(user, dispute_id)
    candidates = {str(u.pk): u for u in transfer_candidates(dispute=dispute)}
    form = TransferForm(request.POST, candidates=[(pk, str(u)) for pk, u in candidates.items()])
    if form.is_valid():
        try:
            dispute_transfer(
                actor=user,
                dispute=dispute,
                to=candidates[form.cleaned_data["to"]],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已移交{dispute.owner}跟进")
            return redirect("dispute-detail", dispute_id=dispute.pk)
    return _render_dispute(request, dispute, transfer_form=form, open_action="transfer")


@login_required
@require_POST
def dispute_mediate_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = signed_in(request.user)
    dispute = get_dispute_for_handling(user, dispute_id)
    form = MediationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispute_mediate(
                actor=user,
                dispute=dispute,
                outcome=data["outcome"],
                agreed=data["agreed"],
                agreement_text=data["agreement_text"],
                agreement_on=data["agreement_on"],
                agreement_parties=data["agreement_parties"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            text = "已登记调解协议，协议后 7 天、30 天回访已排期" if data["agreed"] else "已登记调解情况"
            messages.success(request, text)
            return redirect("dispute-detail", dispute_id=dispute.pk)
    return _render_dispute(request, dispute, mediation_form=form, open_action="mediation")


@login_required
@require_POST
def dispute_check_view(request: HttpRequest, dispute_id: int, check_id: int) -> HttpResponse:
    user = signed_in(request.user)
    dispute = get_dispute_for_handling(user, dispute_id)
    check = get_dispute_check(dispute, check_id)
    form = CheckForm(request.POST, prefix=f"c{check.pk}")
    if form.is_valid():
        try:
            dispute_check_record(
                actor=user,
                check=check,
                held=form.cleaned_data["held"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            check.refresh_from_db()
            if check.state != DisputeCheck.State.PENDING:
                # Recorded meanwhile (or cancelled): there is no form left to show the message on.
                messages.error(request, exc.message)
                return redirect("dispute-detail", dispute_id=dispute.pk)
            _form_error(form, exc)
        else:
            if form.cleaned_data["held"]:
                messages.success(request, "已登记回访：协议履行")
            else:
                messages.success(request, "已登记回访：协议未履行，纠纷已重新打开并通知跟进责任人")
            return redirect("dispute-detail", dispute_id=dispute.pk)
    dispute.refresh_from_db()
    return _render_dispute(request, dispute, check_form=(check.pk, form), open_action="check")
