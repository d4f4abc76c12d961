"""The /api/v1/ census sweep endpoints (C2)."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from linli.accounts.models import Capability
from linli.api.schemas import ProblemOut, choices_of, text_limits
from linli.audit.services.reads import audit_read
from linli.care.models import Sweep, SweepHousehold
from linli.care.selectors.sweeps import (
    Coverage,
    coverages_of,
    get_sweep_for_user,
    sweep_coverage,
    sweep_unvisited,
    sweeps_visible_to,
)
from linli.care.services.sweeps import sweep_close, sweep_mark, sweep_start
from linli.core.users import signed_in
from linli.org.selectors.units import get_area_for_user, require_right

router = Router()


class SweepIn(Schema):
    unit: str
    kind: Annotated[str, choices_of(Sweep.Kind)]
    title: str
    building_key: str = ""

    _texts = text_limits(Sweep, "title", "building_key")


class SweepOut(Schema):
    id: int
    title: str
    kind: Annotated[str, choices_of(Sweep.Kind)]
    kind_label: str = Field(alias="get_kind_display")
    unit: str = Field(alias="unit.code")
    state: Annotated[str, choices_of(Sweep.State)]
    households: int
    unaccounted: int
    by_outcome: dict[str, int]
    started_at: datetime.datetime
    closed_at: datetime.datetime | None
    close_reason: str

    @staticmethod
    def resolve_households(obj: Sweep) -> int:
        return _coverage(obj).total

    @staticmethod
    def resolve_unaccounted(obj: Sweep) -> int:
        return _coverage(obj).unaccounted

    @staticmethod
    def resolve_by_outcome(obj: Sweep) -> dict[str, int]:
        return _coverage(obj).by_outcome


def _coverage(sweep: Sweep) -> Coverage:
    # Counted once per sweep however many fields read it; a list counts all its sweeps at once.
    coverage: Coverage | None = getattr(sweep, _COVERAGE, None)
    if coverage is None:
        coverage = sweep_coverage(sweep=sweep)
        setattr(sweep, _COVERAGE, coverage)
    return coverage


_COVERAGE = "_api_coverage"


class HouseholdOut(Schema):
    id: int
    address: str = Field(alias="address.full_text")
    outcome: Annotated[str, choices_of(SweepHousehold.Outcome)]
    outcome_label: str = Field(alias="get_outcome_display")


class SweepDetailOut(SweepOut):
    unvisited: list[HouseholdOut]

    @staticmethod
    def resolve_unvisited(obj: Sweep) -> list[SweepHousehold]:
        return list(sweep_unvisited(sweep=obj)[:1000])


class HouseholdMarkIn(Schema):
    outcome: Annotated[str, choices_of(SweepHousehold.Outcome)]
    note: str = ""
    new_key_persons: int = 0

    _texts = text_limits(SweepHousehold, "note")


class SweepCloseIn(Schema):
    reason: str = ""

    _texts = text_limits(Sweep, reason="close_reason")


@router.get("/sweeps", response=list[SweepOut])
def sweep_list(request: HttpRequest) -> list[Sweep]:
    """Sweeps in the user's units, newest first (the latest 100)."""
    user = signed_in(request.user)
    sweeps = list(sweeps_visible_to(user=user).select_related("unit")[:100])
    coverages = coverages_of(sweeps)
    for sweep in sweeps:
        setattr(sweep, _COVERAGE, coverages[sweep.pk])
    return sweeps


@router.post("/sweeps", response={201: SweepOut, 422: ProblemOut})
def sweep_create(request: HttpRequest, body: SweepIn) -> Status[Sweep]:
    user = signed_in(request.user)
    unit = get_area_for_user(user, body.unit)
    require_right(user, Capability.LOG_CONTACTS, unit.path)
    sweep = sweep_start(
        actor=user, unit=unit, kind=body.kind, title=body.title, building_key=body.building_key
    )
    return Status(201, sweep)


@router.get("/sweeps/{sweep_id}", response=SweepDetailOut)
def sweep_detail(request: HttpRequest, sweep_id: int) -> Sweep:
    """A sweep's coverage and exactly which households are still unaccounted for."""
    user = signed_in(request.user)
    sweep = get_sweep_for_user(user, sweep_id)
    audit_read(user=user, action="sweep.view", obj=sweep, unit_path=sweep.unit_path)
    return sweep


@router.post("/sweeps/{sweep_id}/households/{household_id}", response={200: HouseholdOut, 422: ProblemOut})
def sweep_household_mark(
    request: HttpRequest, sweep_id: int, household_id: int, body: HouseholdMarkIn
) -> Status[SweepHousehold]:
    user = signed_in(request.user)
    sweep = get_sweep_for_user(user, sweep_id)
    household = sweep.households.select_related("address", "sweep").filter(pk=household_id).first()
    if household is None:
        raise Http404
    require_right(user, Capability.LOG_CONTACTS, household.unit_path)
    household = sweep_mark(
        actor=user,
        household=household,
        outcome=body.outcome,
        note=body.note,
        new_key_persons=body.new_key_persons,
    )
    return Status(200, household)


@router.post("/sweeps/{sweep_id}/close", response={200: SweepOut, 422: ProblemOut})
def sweep_close_endpoint(request: HttpRequest, sweep_id: int, body: SweepCloseIn) -> Status[Sweep]:
    """Close a sweep; with households unaccounted for only a supervisor may, with a reason."""
    user = signed_in(request.user)
    sweep = get_sweep_for_user(user, sweep_id)
    require_right(user, Capability.LOG_CONTACTS, sweep.unit_path)
    sweep = sweep_close(actor=user, sweep=sweep, reason=body.reason)
    return Status(200, sweep)
