"""The /api/v1/ census sweep endpoints (C2)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.api.schemas import ProblemOut
from linli.audit.services.reads import audit_read
from linli.care.apis.key_persons import _problem
from linli.care.selectors.sweeps import get_sweep_for_user, sweep_coverage, sweep_unvisited, sweeps_visible_to
from linli.care.services.sweeps import sweep_close, sweep_mark, sweep_start
from linli.core.errors import ServiceError
from linli.org.selectors.units import get_area_for_user

router = Router()


class SweepIn(Schema):
    unit: str
    kind: str
    title: str
    building_key: str = ""


class SweepOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    unit: str
    state: str
    households: int
    unaccounted: int
    by_outcome: dict[str, int]
    started_at: datetime.datetime
    closed_at: datetime.datetime | None
    close_reason: str


class HouseholdOut(Schema):
    id: int
    address: str
    outcome: str
    outcome_label: str


class SweepDetailOut(SweepOut):
    unvisited: list[HouseholdOut]


class HouseholdMarkIn(Schema):
    outcome: str
    note: str = ""
    new_key_persons: int = 0


class SweepCloseIn(Schema):
    reason: str = ""


def _sweep_out(sweep: Any) -> dict[str, Any]:
    coverage = sweep_coverage(sweep=sweep)
    return {
        "id": sweep.pk,
        "title": sweep.title,
        "kind": sweep.kind,
        "kind_label": sweep.get_kind_display(),
        "unit": sweep.unit.code,
        "state": sweep.state,
        "households": coverage.total,
        "unaccounted": coverage.unaccounted,
        "by_outcome": coverage.by_outcome,
        "started_at": sweep.started_at,
        "closed_at": sweep.closed_at,
        "close_reason": sweep.close_reason,
    }


def _require_contact_work(user: Any, path: str) -> None:
    """Read-only roles (auditors) get 403 before any service runs; the services check again."""
    if not scope_for(user).can(Capability.LOG_CONTACTS, path):
        raise PermissionDenied


@router.get("/sweeps", response=list[SweepOut])
def sweep_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Sweeps in the user's units, newest first (the latest 100)."""
    return [_sweep_out(s) for s in sweeps_visible_to(user=request.user).select_related("unit")[:100]]


@router.post("/sweeps", response={201: SweepOut, 422: ProblemOut})
def sweep_create(request: HttpRequest, body: SweepIn) -> Status[dict[str, Any]]:
    unit = get_area_for_user(request.user, body.unit)
    _require_contact_work(request.user, unit.path)
    try:
        sweep = sweep_start(
            actor=request.user, unit=unit, kind=body.kind, title=body.title, building_key=body.building_key
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _sweep_out(sweep))


@router.get("/sweeps/{sweep_id}", response=SweepDetailOut)
def sweep_detail(request: HttpRequest, sweep_id: int) -> dict[str, Any]:
    """A sweep's coverage and exactly which households are still unaccounted for."""
    sweep = get_sweep_for_user(request.user, sweep_id)
    audit_read(user=request.user, action="sweep.view", obj=sweep, unit_path=sweep.unit_path)
    unvisited = [
        {
            "id": h.pk,
            "address": h.address.full_text,
            "outcome": h.outcome,
            "outcome_label": h.get_outcome_display(),
        }
        for h in sweep_unvisited(sweep=sweep)[:1000]
    ]
    return {**_sweep_out(sweep), "unvisited": unvisited}


@router.post("/sweeps/{sweep_id}/households/{household_id}", response={200: HouseholdOut, 422: ProblemOut})
def sweep_household_mark(
    request: HttpRequest, sweep_id: int, household_id: int, body: HouseholdMarkIn
) -> Status[dict[str, Any]]:
    sweep = get_sweep_for_user(request.user, sweep_id)
    household = sweep.households.select_related("address", "sweep").filter(pk=household_id).first()
    if household is None:
        raise Http404
    _require_contact_work(request.user, household.unit_path)
    try:
        household = sweep_mark(
            actor=request.user,
            household=household,
            outcome=body.outcome,
            note=body.note,
            new_key_persons=body.new_key_persons,
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(
        200,
        {
            "id": household.pk,
            "address": household.address.full_text,
            "outcome": household.outcome,
            "outcome_label": household.get_outcome_display(),
        },
    )


@router.post("/sweeps/{sweep_id}/close", response={200: SweepOut, 422: ProblemOut})
def sweep_close_endpoint(request: HttpRequest, sweep_id: int, body: SweepCloseIn) -> Status[dict[str, Any]]:
    """Close a sweep; with households unaccounted for only a supervisor may, with a reason."""
    sweep = get_sweep_for_user(request.user, sweep_id)
    _require_contact_work(request.user, sweep.unit_path)
    try:
        sweep = sweep_close(actor=request.user, sweep=sweep, reason=body.reason)
    except ServiceError as exc:
        return _problem(exc)
    return Status(200, _sweep_out(sweep))
