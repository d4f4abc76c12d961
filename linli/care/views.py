"""Pages of the key-person ledger: today's list on a phone, logging a contact, a person, a unit's worklist."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.audit.reads import audit_read
from linli.care.forms import ContactForm, PeriodForm
from linli.care.models import Contact, Guardian, KeyPerson
from linli.care.selectors.contacts import get_key_person_for_contact, key_person_contacts
from linli.care.selectors.indicators import on_time_rates, on_time_rates_by_member, total_of
from linli.care.selectors.key_persons import (
    HEALTH_WITHHELD,
    age_on,
    can_view_health,
    get_key_person_detail_for_user,
    guardian_reveal,
    visible_categories,
)
from linli.care.selectors.sweeps import open_sweeps_under
from linli.care.selectors.units import care_units_of, get_unit_for_care, grid_of
from linli.care.selectors.worklists import (
    contacts_due,
    due_counts,
    key_person_row,
    key_persons_without_member,
)
from linli.care.services.contacts import contact_log
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.org.models import Unit
from linli.org.selectors import ancestors_of, children_visible_to
from linli.registry.forms import RevealForm

# A worklist page stays light on a slow phone connection (the whole page under 100 KB).
ROWS_PER_PAGE = 30
HISTORY_PER_PAGE = 20
UNPAIRED_SHOWN = 50
SWEEPS_SHOWN = 20
HOME_PREVIEW = 3


def _today() -> datetime.date:
    return timezone.localdate()


def _due_rows(queryset: Any, request: HttpRequest, on: datetime.date) -> tuple[Any, list[Any]]:
    page = Paginator(queryset.prefetch_related("categories"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return page, [_row(request.user, k, on) for k in page]


def _row(user: Any, key_person: KeyPerson, on: datetime.date) -> Any:
    """A worklist row; health categories only for readers with VIEW_HEALTH where the person lives."""
    return key_person_row(key_person, on=on, health=can_view_health(user, key_person.unit_path))


@login_required
@never_cache
@require_GET
def care_today(request: HttpRequest) -> HttpResponse:
    """今天要联系的人: the member's own people due today or overdue, emergencies first."""
    today = _today()
    page, rows = _due_rows(contacts_due(user=request.user, on=today, mine=True), request, today)
    audit_read(user=request.user, action="key_person.list", detail={"list": "today", "page": page.number})
    return render(
        request,
        "care/today.html",
        {
            "today": today,
            "page": page,
            "rows": rows,
            "counts": due_counts(user=request.user, on=today, mine=True),
            "units": care_units_of(user=request.user),
            "can_log": scope_for(request.user).can_anywhere(Capability.LOG_CONTACTS),
        },
    )


@login_required
@never_cache
@require_GET
def care_home_block(request: HttpRequest) -> HttpResponse:
    """The top of the home page (loaded by htmx): today's list in short, or where the care pages are."""
    units = list(care_units_of(user=request.user)[:5])
    if not units:
        return HttpResponse("")
    today = _today()
    counts = due_counts(user=request.user, on=today, mine=True)
    due = contacts_due(user=request.user, on=today, mine=True).prefetch_related("categories")
    if counts.total:
        audit_read(user=request.user, action="key_person.list", detail={"list": "home"})
    return render(
        request,
        "care/_home_block.html",
        {
            "today": today,
            "counts": counts,
            "rows": [_row(request.user, k, today) for k in due[:HOME_PREVIEW]] if counts.total else [],
            "units": units,
            "can_log": scope_for(request.user).can_anywhere(Capability.LOG_CONTACTS),
        },
    )


@login_required
@never_cache
@require_GET
def key_person_detail(request: HttpRequest, key_person_id: int) -> HttpResponse:
    key_person = get_key_person_detail_for_user(request.user, key_person_id)
    return render(request, "care/key_person_detail.html", _detail_context(request, key_person))


def _guardians_context(
    request: HttpRequest,
    key_person: KeyPerson,
    reveal_form: RevealForm | None = None,
    revealed: list[Guardian] | None = None,
) -> dict[str, Any]:
    """The guardians' card: masked phones, and the reveal form for those who may see them in full."""
    return {
        "key_person": key_person,
        "guardians": [(g, mask_phone(g.phone)) for g in key_person.guardians.all()],
        "can_reveal": scope_for(request.user).can(Capability.REVEAL_PERSONAL, key_person.unit_path),
        "reveal_form": reveal_form or RevealForm(),
        "revealed": revealed,
    }


def _detail_context(request: HttpRequest, key_person: KeyPerson, **reveal: Any) -> dict[str, Any]:
    today = _today()
    history = Paginator(key_person_contacts(key_person=key_person), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    resident = key_person.resident
    health = can_view_health(request.user, key_person.unit_path)
    return {
        **_guardians_context(request, key_person, **reveal),
        "resident": resident,
        "age": age_on(resident.birth_date, today),
        "phone": mask_phone(resident.phone),
        "categories": visible_categories(key_person.categories.all(), health=health),
        # Without VIEW_HEALTH: no health categories, grades, treatments, needs or contact notes.
        "show_health": health,
        "health_withheld": HEALTH_WITHHELD,
        "days_overdue": (today - key_person.next_contact_due).days,
        "history": history,
        "unit": grid_of(key_person=key_person),
        "can_log": key_person.is_active
        and scope_for(request.user).can(Capability.LOG_CONTACTS, key_person.unit_path),
        "visits": key_person.consolation_visits.select_related("visited_by")[:20],
        "today": today,
    }


@login_required
@never_cache
@require_POST
def guardian_reveal_phones(request: HttpRequest, key_person_id: int) -> HttpResponse:
    """The guardians' full phone numbers, for a reason: only in this response, never stored in the page.

    A fragment for htmx; the whole key person page without it.
    """
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revealed = None
    try:
        # The selector decides (404, then 403, then the reason); the form only cleans.
        key_person, revealed = guardian_reveal(user=request.user, key_person_id=key_person_id, reason=reason)
    except ServiceError as exc:
        # Shown again masked: an ordinary, audited view of the key person.
        key_person = get_key_person_detail_for_user(request.user, key_person_id)
        if not form.errors:
            form.add_error("reason", exc.message)
    if request.headers.get("HX-Request") == "true":
        context = _guardians_context(request, key_person, reveal_form=form, revealed=revealed)
        return render(request, "care/_guardians.html", context)
    return render(
        request,
        "care/key_person_detail.html",
        _detail_context(request, key_person, reveal_form=form, revealed=revealed),
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/care/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _logged_message(key_person: KeyPerson, contact: Contact) -> str:
    name = key_person.resident.name
    if not contact.reached:
        return f"已记录：未联系上{name}，仍在待联系名单中"
    due = key_person.next_contact_due
    text = f"已登记与{name}的{contact.get_kind_display()}联系，下次联系：{due.month}月{due.day}日"
    if contact.is_emergency:
        text += "。已标记紧急情况，置顶显示"
    return text


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, key_person_id: int) -> HttpResponse:
    key_person = get_key_person_for_contact(request.user, key_person_id)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_log(actor=request.user, key_person=key_person, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _logged_message(key_person, contact))
            return redirect(_safe_next(request) or reverse("care-today"))
    return render(
        request,
        "care/contact_form.html",
        {
            "key_person": key_person,
            "form": form,
            "categories": key_person.categories.all(),
            "next": _safe_next(request) or "",
        },
    )


@login_required
@never_cache
@require_GET
def care_unit(request: HttpRequest, code: str) -> HttpResponse:
    """A grid's, community's or station's worklist, people without a member, open sweeps with their
    coverage, and on-time rates."""
    unit = get_unit_for_care(request.user, code)
    today = _today()
    period_form = PeriodForm(request.GET if {"from", "to"} & set(request.GET) else None, today=today)
    period = period_form.period()
    page, rows = _due_rows(contacts_due(user=request.user, on=today, unit=unit), request, today)
    audit_read(user=request.user, action="key_person.list", unit_path=unit.path, detail={"page": page.number})
    unpaired = key_persons_without_member(user=request.user, unit=unit).prefetch_related("categories")
    scope = scope_for(request.user)
    if unit.kind == Unit.Kind.GRID:
        children: list[Unit] = []
        rates = on_time_rates_by_member(unit=unit, period=period)
    else:
        children = list(children_visible_to(user=request.user, unit=unit))
        rates = on_time_rates(units=children, period=period)
    query = request.GET.copy()
    query.pop("page", None)
    # One more than shown, to tell whether the sweep list has more.
    sweeps = open_sweeps_under(user=request.user, unit=unit, limit=SWEEPS_SHOWN + 1)
    return render(
        request,
        "care/unit.html",
        {
            "unit": unit,
            # Breadcrumbs up to the top of the user's scope (a grid worker's page has none above it).
            "ancestors": [a for a in ancestors_of(unit=unit) if scope.covers(a.path)],
            "today": today,
            "counts": due_counts(user=request.user, on=today, unit=unit),
            "page": page,
            "rows": rows,
            "unpaired": [_row(request.user, k, today) for k in unpaired[:UNPAIRED_SHOWN]],
            "unpaired_count": unpaired.count(),
            "sweeps": sweeps[:SWEEPS_SHOWN],
            "more_sweeps": len(sweeps) > SWEEPS_SHOWN,
            "period_form": period_form,
            "period": period,
            "rates": rates,
            "total": total_of(rates, unit.name),
            "by_member": unit.kind == Unit.Kind.GRID,
            "can_log": scope.can(Capability.LOG_CONTACTS, unit.path),
            "query": query,
            "here": request.get_full_path(),
        },
    )
