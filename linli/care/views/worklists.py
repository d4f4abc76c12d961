"""Worklist pages: today's list on a phone, the top of the home page, a unit's worklist with its rates."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.reads import audit_read
from linli.care.forms.indicators import PeriodForm
from linli.care.models import KeyPerson
from linli.care.selectors.indicators import on_time_rates, on_time_rates_by_member, total_of
from linli.care.selectors.key_persons import can_view_health
from linli.care.selectors.sweeps import open_sweeps_under
from linli.care.selectors.units import care_units_of
from linli.care.selectors.worklists import (
    KeyPersonRow,
    contacts_due,
    due_counts,
    key_person_row,
    key_persons_without_member,
)
from linli.core.users import signed_in
from linli.org.models import Unit
from linli.org.selectors.units import breadcrumbs_for, children_visible_to, get_area_for_user

# A worklist page stays light on a slow phone connection (the whole page under 100 KB).
ROWS_PER_PAGE = 30

UNPAIRED_SHOWN = 50

SWEEPS_SHOWN = 20

HOME_PREVIEW = 3


def _today() -> datetime.date:
    return timezone.localdate()


def _due_rows(
    queryset: QuerySet[KeyPerson], request: HttpRequest, on: datetime.date
) -> tuple[Page[KeyPerson], list[KeyPersonRow]]:
    user = signed_in(request.user)
    page = Paginator(queryset.prefetch_related("categories"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return page, [_row(user, k, on) for k in page]


def _row(user: User, key_person: KeyPerson, on: datetime.date) -> KeyPersonRow:
    """A worklist row; health categories only for readers with VIEW_HEALTH where the person lives."""
    return key_person_row(key_person, on=on, health=can_view_health(user, key_person.unit_path))


@login_required
@never_cache
@require_GET
def care_today(request: HttpRequest) -> HttpResponse:
    """今天要联系的人: the member's own people due today or overdue, emergencies first."""
    user = signed_in(request.user)
    today = _today()
    page, rows = _due_rows(contacts_due(user=user, on=today, mine=True), request, today)
    audit_read(user=user, action="key_person.list", detail={"list": "today", "page": page.number})
    return render(
        request,
        "care/today.html",
        {
            "today": today,
            "page": page,
            "rows": rows,
            "counts": due_counts(user=user, on=today, mine=True),
            "units": care_units_of(user=user),
            "can_log": scope_for(user).can_anywhere(Capability.LOG_CONTACTS),
        },
    )


@login_required
@never_cache
@require_GET
def care_home_block(request: HttpRequest) -> HttpResponse:
    """The top of the home page (loaded by htmx): today's list in short, or where the care pages are."""
    user = signed_in(request.user)
    units = list(care_units_of(user=user)[:5])
    if not units:
        return HttpResponse("")
    today = _today()
    counts = due_counts(user=user, on=today, mine=True)
    due = contacts_due(user=user, on=today, mine=True).prefetch_related("categories")
    if counts.total:
        audit_read(user=user, action="key_person.list", detail={"list": "home"})
    return render(
        request,
        "care/_home_block.html",
        {
            "today": today,
            "counts": counts,
            "rows": [_row(user, k, today) for k in due[:HOME_PREVIEW]] if counts.total else [],
            "units": units,
            "can_log": scope_for(user).can_anywhere(Capability.LOG_CONTACTS),
        },
    )


@login_required
@never_cache
@require_GET
def care_unit(request: HttpRequest, code: str) -> HttpResponse:
    """A grid's, community's or station's worklist, people without a member, open sweeps with their
    coverage, and on-time rates."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    today = _today()
    period_form = PeriodForm(request.GET if {"from", "to"} & set(request.GET) else None, today=today)
    period = period_form.period()
    page, rows = _due_rows(contacts_due(user=user, on=today, unit=unit), request, today)
    audit_read(user=user, action="key_person.list", unit_path=unit.path, detail={"page": page.number})
    unpaired = key_persons_without_member(user=user, unit=unit).prefetch_related("categories")
    scope = scope_for(user)
    if unit.kind == Unit.Kind.GRID:
        children: list[Unit] = []
        rates = on_time_rates_by_member(unit=unit, period=period)
    else:
        children = list(children_visible_to(user=user, unit=unit))
        rates = on_time_rates(units=children, period=period)
    query = request.GET.copy()
    query.pop("page", None)
    # One more than shown, to tell whether the sweep list has more.
    sweeps = open_sweeps_under(user=user, unit=unit, limit=SWEEPS_SHOWN + 1)
    return render(
        request,
        "care/unit.html",
        {
            "unit": unit,
            # Breadcrumbs up to the top of the user's scope (a grid worker's page has none above it).
            "ancestors": breadcrumbs_for(user, unit),
            "today": today,
            "counts": due_counts(user=user, on=today, unit=unit),
            "page": page,
            "rows": rows,
            "unpaired": [_row(user, k, today) for k in unpaired[:UNPAIRED_SHOWN]],
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
