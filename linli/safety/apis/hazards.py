"""The /api/v1/ hazard endpoints and the 隐患清零 summary, scoped like the pages.

Out of scope is 404, read-only roles get 403 on writes, and bad input 422 with a Chinese message.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from linli.accounts.models import Capability
from linli.api.errors import OneOf, problem_body
from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import ProblemOut
from linli.audit.services.reads import audit_read
from linli.care.models import Contact, RiskLevel, Sweep
from linli.core.limits import text_limit
from linli.core.users import signed_in
from linli.org.selectors.units import get_area_for_user, require_right
from linli.safety.models import Hazard, HazardRecheck
from linli.safety.selectors.hazards import (
    HAZARD_FILTERS,
    HazardSummary,
    SummaryRow,
    contact_for_hazard,
    get_hazard_for_handling,
    get_hazard_for_user,
    hazard_rechecks,
    hazard_summary,
    hazards_in,
    sweep_for_hazard,
)
from linli.safety.services.hazards import hazard_recheck, hazard_record

router = Router()

RiskLevelChoice = Annotated[str, OneOf("风险等级", RiskLevel.choices)]
HazardKind = Annotated[str, OneOf("隐患类型", Hazard.Kind.choices)]
HazardSource = Annotated[str, OneOf("发现途径", Hazard.Source.choices)]


def _text(model: type[Model], name: str) -> Any:
    """An optional text field documenting its column's limit; the service refuses longer text."""
    return Field("", json_schema_extra={"maxLength": text_limit(model, name)})


class HazardIn(Schema):
    """A hazard to log in a grid or community (`unit` is its code); `found_on` defaults to today."""

    unit: str
    kind: HazardKind
    risk_level: RiskLevelChoice = RiskLevel.LOW
    source: HazardSource = Hazard.Source.CHECK
    description: str = _text(Hazard, "description")
    place: str = _text(Hazard, "place")
    responsible_party: str = _text(Hazard, "responsible_party")
    found_on: datetime.date | None = None
    deadline: datetime.date | None = None
    contact_id: int | None = None
    sweep_id: int | None = None


class RecheckOut(Schema):
    id: int
    checked_at: datetime.datetime
    checked_by: str
    cleared: bool
    note: str
    new_deadline: datetime.date | None

    @staticmethod
    def resolve_checked_by(recheck: HazardRecheck) -> str:
        return str(recheck.checked_by)


class HazardOut(Schema):
    id: int
    unit_path: str
    kind: HazardKind
    kind_label: str
    risk_level: RiskLevelChoice
    risk_level_label: str
    source: HazardSource
    source_label: str
    description: str
    place: str
    responsible_party: str
    found_on: datetime.date
    deadline: datetime.date
    state: Annotated[str, OneOf("状态", Hazard.State.choices)]
    state_label: str
    # Open past the deadline today (Asia/Shanghai).
    overdue: bool
    cleared_on: datetime.date | None
    contact_id: int | None
    sweep_id: int | None
    recorded_by: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(hazard: Hazard) -> str:
        return hazard.get_kind_display()

    @staticmethod
    def resolve_risk_level_label(hazard: Hazard) -> str:
        return hazard.get_risk_level_display()

    @staticmethod
    def resolve_source_label(hazard: Hazard) -> str:
        return hazard.get_source_display()

    @staticmethod
    def resolve_state_label(hazard: Hazard) -> str:
        return hazard.get_state_display()

    @staticmethod
    def resolve_overdue(hazard: Hazard) -> bool:
        return hazard.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_recorded_by(hazard: Hazard) -> str:
        return str(hazard.recorded_by)


class HazardDetailOut(HazardOut):
    rechecks: list[RecheckOut]

    @staticmethod
    def resolve_rechecks(hazard: Hazard) -> QuerySet[HazardRecheck]:
        return hazard_rechecks(hazard=hazard)


class HazardPage(Page[HazardOut]):
    pass


class HazardFilters(Schema):
    unit: str = ""
    # The register's filters less 全部 (leave `state` out for every hazard).
    state: Annotated[
        str, OneOf("状态", [(k, v) for k, v in HAZARD_FILTERS.items() if k != "all"], blank=True)
    ] = ""


class RecheckIn(Schema):
    """A re-check; a time without an offset is Asia/Shanghai wall-clock time, none means now."""

    cleared: bool
    note: str = _text(HazardRecheck, "note")
    checked_at: datetime.datetime | None = None
    new_deadline: datetime.date | None = None

    @field_validator("checked_at")
    @classmethod
    def _checked_at(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value, timezone.get_default_timezone())
        return value


class SummaryFilters(Schema):
    """`start`–`end` (YYYY-MM-DD); this month up to today without them."""

    unit: str
    start: datetime.date | None = None
    end: datetime.date | None = None


class SummaryRowOut(Schema):
    label: str
    unit_code: str | None
    found: int
    cleared: int
    still_open: int
    overdue: int

    @staticmethod
    def resolve_unit_code(row: SummaryRow) -> str | None:
        return row.unit.code if row.unit else None


class SummaryOut(Schema):
    unit: str = Field(alias="unit.code")
    start: datetime.date
    end: datetime.date
    rows: list[SummaryRowOut]
    total: SummaryRowOut


@router.get("/hazards", response=HazardPage)
def hazard_list(request: HttpRequest, filters: Query[HazardFilters], paging: Query[Paging]) -> dict[str, Any]:
    """Hazards in scope; `state` open (by deadline), overdue (open past the deadline) or cleared."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, filters.unit) if filters.unit else None
    queryset = hazards_in(user=user, on=timezone.localdate(), unit=unit, state=filters.state)
    return page_of(queryset, paging)


@router.post("/hazards", response={201: HazardOut, 422: ProblemOut})
def hazard_create(request: HttpRequest, body: HazardIn) -> Status[Any]:
    """Log a hazard with the party responsible and the deadline for putting it right."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, body.unit)
    require_right(user, Capability.HANDLE_SAFETY, unit.path)
    contact: Contact | None = None
    sweep: Sweep | None = None
    if body.contact_id is not None:
        contact = contact_for_hazard(user=user, contact_id=body.contact_id)
        if contact is None:
            return Status(422, problem_body("未找到该联系记录", field="contact_id"))
    if body.sweep_id is not None:
        sweep = sweep_for_hazard(user=user, sweep_id=body.sweep_id)
        if sweep is None:
            return Status(422, problem_body("未找到该排查行动", field="sweep_id"))
    if body.deadline is None:
        return Status(422, problem_body("请填写整改期限", field="deadline"))
    hazard = hazard_record(
        actor=user,
        unit=unit,
        kind=body.kind,
        risk_level=body.risk_level,
        source=body.source,
        description=body.description,
        place=body.place,
        responsible_party=body.responsible_party,
        found_on=body.found_on,
        deadline=body.deadline,
        contact=contact,
        sweep=sweep,
    )
    return Status(201, hazard)


@router.get("/hazards/summary", response={200: SummaryOut, 422: ProblemOut})
def hazard_summary_endpoint(request: HttpRequest, filters: Query[SummaryFilters]) -> Status[Any]:
    """Per community under `unit`: found and cleared in the period, still open and overdue at its end."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, filters.unit)
    today = timezone.localdate()
    end = filters.end or today
    start = filters.start or end.replace(day=1)
    if end > today:
        return Status(422, problem_body("结束日期不能晚于今天", field="end", where="query"))
    if start > end:
        return Status(422, problem_body("结束日期不能早于开始日期", field="end", where="query"))
    summary: HazardSummary = hazard_summary(user=user, unit=unit, start=start, end=end)
    return Status(200, summary)


@router.get("/hazards/{hazard_id}", response=HazardDetailOut)
def hazard_detail(request: HttpRequest, hazard_id: int) -> Hazard:
    user = signed_in(request.user)
    hazard = get_hazard_for_user(user, hazard_id)
    audit_read(user=user, action="hazard.view", obj=hazard, unit_path=hazard.unit_path)
    return hazard


@router.post("/hazards/{hazard_id}/rechecks", response={201: HazardDetailOut, 422: ProblemOut})
def hazard_recheck_endpoint(request: HttpRequest, hazard_id: int, body: RecheckIn) -> Status[Hazard]:
    """Record a re-check; one that finds the hazard cleared closes it, one that does not needs a note."""
    user = signed_in(request.user)
    hazard = get_hazard_for_handling(user, hazard_id)
    hazard_recheck(
        actor=user,
        hazard=hazard,
        cleared=body.cleared,
        note=body.note,
        checked_at=body.checked_at,
        new_deadline=body.new_deadline,
    )
    return Status(201, hazard)
