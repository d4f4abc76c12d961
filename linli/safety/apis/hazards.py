"""The /api/v1/ hazard endpoints and the 隐患清零 summary, scoped like the pages.

Out of scope is 404, read-only roles get 403 on writes, and bad input 422 with a Chinese message.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import field_validator

from linli.api.paging import Paging
from linli.api.schemas import ProblemOut
from linli.audit.services.reads import audit_read
from linli.care.models import Contact, RiskLevel, Sweep
from linli.core.errors import ServiceError
from linli.org.selectors.units import get_area_for_user
from linli.safety.apis.disputes import _choice, _date, _page, _problem
from linli.safety.models import Hazard, HazardRecheck
from linli.safety.selectors.hazards import (
    contact_for_hazard,
    get_hazard_for_handling,
    get_hazard_for_user,
    hazard_rechecks,
    hazard_summary,
    hazards_in,
    sweep_for_hazard,
)
from linli.safety.selectors.units import require_safety_work
from linli.safety.services.hazards import hazard_recheck, hazard_record

router = Router()


class HazardIn(Schema):
    """A hazard to log in a grid or community (`unit` is its code); `found_on` defaults to today."""

    unit: str
    kind: str
    risk_level: str = RiskLevel.LOW
    source: str = Hazard.Source.CHECK
    description: str = ""
    place: str = ""
    responsible_party: str = ""
    found_on: datetime.date | None = None
    deadline: datetime.date | None = None
    contact_id: int | None = None
    sweep_id: int | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _choice(
            Hazard.Kind.values, value, "kind", f"隐患类型应为 {'、'.join(Hazard.Kind.values)} 之一"
        )

    @field_validator("risk_level")
    @classmethod
    def _risk_level(cls, value: str) -> str:
        return _choice(
            RiskLevel.values, value, "risk_level", "风险等级应为 low（低）、medium（中）或 high（高）"
        )

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return _choice(Hazard.Source.values, value, "source", "发现途径应为 contact、sweep、check 或 report")

    _dates = field_validator("found_on", "deadline", mode="before")(_date)


class RecheckOut(Schema):
    id: int
    checked_at: datetime.datetime
    checked_by: str
    cleared: bool
    note: str
    new_deadline: datetime.date | None


class HazardOut(Schema):
    id: int
    unit_path: str
    kind: str
    kind_label: str
    risk_level: str
    risk_level_label: str
    source: str
    source_label: str
    description: str
    place: str
    responsible_party: str
    found_on: datetime.date
    deadline: datetime.date
    state: str
    state_label: str
    # Open past the deadline today (Asia/Shanghai).
    overdue: bool
    cleared_on: datetime.date | None
    contact_id: int | None
    sweep_id: int | None
    recorded_by: str
    created_at: datetime.datetime


class HazardDetailOut(HazardOut):
    rechecks: list[RecheckOut]


class HazardPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HazardOut]


class HazardFilters(Schema):
    unit: str = ""
    state: str = ""

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        return _choice(
            ["", "open", "overdue", "cleared"], value, "state", "状态应为 open、overdue 或 cleared"
        )


class RecheckIn(Schema):
    """A re-check; a time without an offset is Asia/Shanghai wall-clock time, none means now."""

    cleared: bool
    note: str = ""
    checked_at: datetime.datetime | None = None
    new_deadline: datetime.date | None = None

    @field_validator("checked_at")
    @classmethod
    def _checked_at(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value, timezone.get_default_timezone())
        return value

    _new_deadline = field_validator("new_deadline", mode="before")(_date)


class SummaryFilters(Schema):
    """`start`–`end` (YYYY-MM-DD); this month up to today without them."""

    unit: str
    start: datetime.date | None = None
    end: datetime.date | None = None

    _dates = field_validator("start", "end", mode="before")(_date)


class SummaryRowOut(Schema):
    label: str
    unit_code: str | None
    found: int
    cleared: int
    still_open: int
    overdue: int


class SummaryOut(Schema):
    unit: str
    start: datetime.date
    end: datetime.date
    rows: list[SummaryRowOut]
    total: SummaryRowOut


def _hazard_out(hazard: Hazard, today: datetime.date | None = None) -> dict[str, Any]:
    return {
        "id": hazard.pk,
        "unit_path": hazard.unit_path,
        "kind": hazard.kind,
        "kind_label": hazard.get_kind_display(),
        "risk_level": hazard.risk_level,
        "risk_level_label": hazard.get_risk_level_display(),
        "source": hazard.source,
        "source_label": hazard.get_source_display(),
        "description": hazard.description,
        "place": hazard.place,
        "responsible_party": hazard.responsible_party,
        "found_on": hazard.found_on,
        "deadline": hazard.deadline,
        "state": hazard.state,
        "state_label": hazard.get_state_display(),
        "overdue": hazard.is_overdue(today or timezone.localdate()),
        "cleared_on": hazard.cleared_on,
        "contact_id": hazard.contact_id,
        "sweep_id": hazard.sweep_id,
        "recorded_by": str(hazard.recorded_by),
        "created_at": hazard.created_at,
    }


def _recheck_out(recheck: HazardRecheck) -> dict[str, Any]:
    return {
        "id": recheck.pk,
        "checked_at": recheck.checked_at,
        "checked_by": str(recheck.checked_by),
        "cleared": recheck.cleared,
        "note": recheck.note,
        "new_deadline": recheck.new_deadline,
    }


@router.get("/hazards", response=HazardPage)
def hazard_list(request: HttpRequest, filters: Query[HazardFilters], paging: Query[Paging]) -> dict[str, Any]:
    """Hazards in scope; `state` open (by deadline), overdue (open past the deadline) or cleared."""
    unit = get_area_for_user(request.user, filters.unit) if filters.unit else None
    today = timezone.localdate()
    queryset = hazards_in(user=request.user, on=today, unit=unit, state=filters.state)
    return _page(queryset, paging, lambda h: _hazard_out(h, today))


@router.post("/hazards", response={201: HazardOut, 422: ProblemOut})
def hazard_create(request: HttpRequest, body: HazardIn) -> Status[dict[str, Any]]:
    """Log a hazard with the party responsible and the deadline for putting it right."""
    unit = get_area_for_user(request.user, body.unit)
    require_safety_work(request.user, unit.path)
    contact: Contact | None = None
    sweep: Sweep | None = None
    if body.contact_id is not None:
        contact = contact_for_hazard(user=request.user, contact_id=body.contact_id)
        if contact is None:
            return _problem(ServiceError("未找到该联系记录", field="contact_id"))
    if body.sweep_id is not None:
        sweep = sweep_for_hazard(user=request.user, sweep_id=body.sweep_id)
        if sweep is None:
            return _problem(ServiceError("未找到该排查行动", field="sweep_id"))
    if body.deadline is None:
        return _problem(ServiceError("请填写整改期限", field="deadline"))
    try:
        hazard = hazard_record(
            actor=request.user,
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
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _hazard_out(hazard))


@router.get("/hazards/summary", response={200: SummaryOut, 422: ProblemOut})
def hazard_summary_endpoint(request: HttpRequest, filters: Query[SummaryFilters]) -> Status[dict[str, Any]]:
    """Per community under `unit`: found and cleared in the period, still open and overdue at its end."""
    unit = get_area_for_user(request.user, filters.unit)
    today = timezone.localdate()
    end = filters.end or today
    start = filters.start or end.replace(day=1)
    if end > today:
        return _problem(ServiceError("结束日期不能晚于今天", field="end"))
    if start > end:
        return _problem(ServiceError("结束日期不能早于开始日期", field="end"))
    summary = hazard_summary(user=request.user, unit=unit, start=start, end=end)

    def row(r: Any) -> dict[str, Any]:
        return {
            "label": r.label, "unit_code": r.unit.code if r.unit else None, "found": r.found,
            "cleared": r.cleared, "still_open": r.still_open, "overdue": r.overdue,
        }  # fmt: skip

    return Status(
        200,
        {
            "unit": unit.code,
            "start": start,
            "end": end,
            "rows": [row(r) for r in summary.rows],
            "total": row(summary.total),
        },
    )


@router.get("/hazards/{hazard_id}", response=HazardDetailOut)
def hazard_detail(request: HttpRequest, hazard_id: int) -> dict[str, Any]:
    hazard = get_hazard_for_user(request.user, hazard_id)
    audit_read(user=request.user, action="hazard.view", obj=hazard, unit_path=hazard.unit_path)
    return {**_hazard_out(hazard), "rechecks": [_recheck_out(r) for r in hazard_rechecks(hazard=hazard)]}


@router.post("/hazards/{hazard_id}/rechecks", response={201: HazardDetailOut, 422: ProblemOut})
def hazard_recheck_endpoint(request: HttpRequest, hazard_id: int, body: RecheckIn) -> Status[dict[str, Any]]:
    """Record a re-check; one that finds the hazard cleared closes it, one that does not needs a note."""
    hazard = get_hazard_for_handling(request.user, hazard_id)
    try:
        hazard_recheck(
            actor=request.user,
            hazard=hazard,
            cleared=body.cleared,
            note=body.note,
            checked_at=body.checked_at,
            new_deadline=body.new_deadline,
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(
        201, {**_hazard_out(hazard), "rechecks": [_recheck_out(r) for r in hazard_rechecks(hazard=hazard)]}
    )
