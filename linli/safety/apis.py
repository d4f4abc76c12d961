"""The /api/v1/ dispute and hazard endpoints, scoped like the pages.

Parties' phones are masked on the server; reading a dispute's detail is audited. Out of scope is 404,
read-only roles get 403 on writes, and bad input 422 with a Chinese message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.api.schemas import ProblemOut
from linli.audit.reads import audit_read
from linli.care.models import Contact, RiskLevel, Sweep
from linli.core.errors import ServiceError
from linli.registry.apis import Paging
from linli.safety.models import Dispute, DisputeCheck, Hazard, HazardRecheck
from linli.safety.selectors.disputes import (
    dispute_checks_due,
    dispute_parties,
    dispute_timeline,
    disputes_in,
    get_dispute_check,
    get_dispute_detail_for_user,
    get_dispute_for_handling,
    transfer_candidates,
)
from linli.safety.selectors.hazards import (
    contact_for_hazard,
    get_hazard_for_handling,
    get_hazard_for_user,
    hazard_rechecks,
    hazard_summary,
    hazards_in,
    sweep_for_hazard,
)
from linli.safety.selectors.units import get_unit_for_safety, require_safety_work
from linli.safety.services.disputes import (
    PartyInput,
    dispute_check_record,
    dispute_log,
    dispute_mediate,
    dispute_transfer,
)
from linli.safety.services.hazards import hazard_recheck, hazard_record

router = Router(tags=["矛盾纠纷和隐患"])

M = TypeVar("M", bound=Model)


def _choice(values: Iterable[str], value: str, code: str, message: str) -> str:
    if value not in values:
        raise PydanticCustomError(code, message)
    return value


def _date(value: Any) -> Any:
    """A date as YYYY-MM-DD, with a Chinese message for anything else."""
    if value is None or value == "" or isinstance(value, datetime.date):
        return value or None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise PydanticCustomError("date", "日期格式应为 YYYY-MM-DD") from None


class SafetyMemberOut(Schema):
    id: int
    name: str


class PartyIn(Schema):
    name: str = ""
    phone: str = ""


class PartyOut(Schema):
    name: str
    phone: str


class DisputeIn(Schema):
    """A dispute to log in a grid or community (`unit` is its code); `occurred_on` defaults to today."""

    unit: str
    kind: str
    summary: str = ""
    occurred_on: datetime.date | None = None
    place: str = ""
    parties: list[PartyIn] = []
    resolved_on_spot: bool = False
    outcome: str = ""

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _choice(
            Dispute.Kind.values, value, "kind", f"纠纷类型应为 {'、'.join(Dispute.Kind.values)} 之一"
        )

    _occurred_on = field_validator("occurred_on", mode="before")(_date)


class DisputeOut(Schema):
    id: int
    unit_path: str
    kind: str
    kind_label: str
    summary: str
    place: str
    occurred_on: datetime.date
    state: str
    state_label: str
    resolved_on_spot: bool
    owner: SafetyMemberOut
    logged_by: SafetyMemberOut
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None


class SafetyEventOut(Schema):
    at: datetime.datetime
    kind: str
    kind_label: str
    actor: str
    to_user: SafetyMemberOut | None
    text: str


class MediationOut(Schema):
    id: int
    mediated_by: str
    outcome: str
    on_the_spot: bool
    agreed: bool
    agreement_text: str
    agreement_on: datetime.date | None
    agreement_parties: str
    created_at: datetime.datetime


class CheckOut(Schema):
    id: int
    dispute_id: int
    days_after: int
    due_on: datetime.date
    state: str
    state_label: str
    checked_by: str
    checked_at: datetime.datetime | None
    note: str


class DisputeDetailOut(DisputeOut):
    parties: list[PartyOut]
    events: list[SafetyEventOut]
    mediations: list[MediationOut]
    checks: list[CheckOut]


class DisputePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DisputeOut]


class CheckPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CheckOut]


class DisputeFilters(Schema):
    unit: str = ""
    state: str = ""

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        return _choice(
            ["", *Dispute.State.values], value, "state", "状态应为 open（待化解）或 resolved（已化解）"
        )


class ChecksDueFilters(Schema):
    unit: str = ""
    mine: bool = False
    on: datetime.date | None = None

    _on = field_validator("on", mode="before")(_date)


class TransferIn(Schema):
    """Hand the dispute to a member by user id; without `to`, to the community officer."""

    to: int | None = None
    reason: str = ""


class MediationIn(Schema):
    outcome: str = ""
    agreed: bool = False
    agreement_text: str = ""
    agreement_on: datetime.date | None = None
    agreement_parties: str = ""

    _agreement_on = field_validator("agreement_on", mode="before")(_date)


class CheckIn(Schema):
    held: bool
    note: str = ""


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


def _page(queryset: QuerySet[M], paging: Paging, out: Callable[[M], dict[str, Any]]) -> dict[str, Any]:
    start = (paging.page - 1) * paging.page_size
    items: Iterable[M] = queryset[start : start + paging.page_size]
    return {
        "count": queryset.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": [out(item) for item in items],
    }


def _problem(exc: ServiceError) -> Status[dict[str, Any]]:
    error = {"loc": ["body", exc.field] if exc.field else ["body"], "msg": exc.message}
    return Status(422, {"detail": exc.message, "errors": [error]})


def _member(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user)}


def _dispute_out(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk,
        "unit_path": dispute.unit_path,
        "kind": dispute.kind,
        "kind_label": dispute.get_kind_display(),
        "summary": dispute.summary,
        "place": dispute.place,
        "occurred_on": dispute.occurred_on,
        "state": dispute.state,
        "state_label": dispute.get_state_display(),
        "resolved_on_spot": dispute.resolved_on_spot,
        "owner": _member(dispute.owner),
        "logged_by": _member(dispute.logged_by),
        "created_at": dispute.created_at,
        "resolved_at": dispute.resolved_at,
    }


def _check_out(check: DisputeCheck) -> dict[str, Any]:
    return {
        "id": check.pk,
        "dispute_id": check.dispute_id,
        "days_after": check.days_after,
        "due_on": check.due_on,
        "state": check.state,
        "state_label": check.get_state_display(),
        "checked_by": str(check.checked_by) if check.checked_by_id else "",
        "checked_at": check.checked_at,
        "note": check.note,
    }


def _dispute_detail_out(dispute: Dispute) -> dict[str, Any]:
    return {
        **_dispute_out(dispute),
        "parties": [{"name": p.name, "phone": p.phone} for p in dispute_parties(dispute=dispute)],
        "events": [
            {
                "at": e.at,
                "kind": e.kind,
                "kind_label": e.get_kind_display(),
                "actor": str(e.actor) if e.actor_id else "系统",
                "to_user": _member(e.to_user) if e.to_user_id else None,
                "text": e.text,
            }
            for e in dispute_timeline(dispute=dispute)
        ],
        "mediations": [
            {
                "id": m.pk,
                "mediated_by": str(m.mediated_by),
                "outcome": m.outcome,
                "on_the_spot": m.on_the_spot,
                "agreed": m.agreed,
                "agreement_text": m.agreement_text,
                "agreement_on": m.agreement_on,
                "agreement_parties": m.agreement_parties,
                "created_at": m.created_at,
            }
            for m in dispute.mediations.select_related("mediated_by").order_by("created_at", "id")
        ],
        "checks": [
            _check_out(c) for c in dispute.checks.select_related("checked_by").order_by("due_on", "id")
        ],
    }


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


# Disputes.


@router.get("/disputes", response=DisputePage)
def dispute_list(
    request: HttpRequest, filters: Query[DisputeFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Disputes in scope, newest first; `unit` narrows to a unit, `state` to open or resolved ones."""
    unit = get_unit_for_safety(request.user, filters.unit) if filters.unit else None
    queryset = disputes_in(user=request.user, unit=unit, state=filters.state).select_related("logged_by")
    return _page(queryset, paging, _dispute_out)


@router.post("/disputes", response={201: DisputeDetailOut, 422: ProblemOut})
def dispute_create(request: HttpRequest, body: DisputeIn) -> Status[dict[str, Any]]:
    """Log a dispute; unless settled on the spot it goes to the community officer, who is told either way."""
    unit = get_unit_for_safety(request.user, body.unit)
    require_safety_work(request.user, unit.path)
    try:
        dispute = dispute_log(
            actor=request.user,
            unit=unit,
            kind=body.kind,
            summary=body.summary,
            occurred_on=body.occurred_on or timezone.localdate(),
            place=body.place,
            parties=[PartyInput(p.name, p.phone) for p in body.parties],
            resolved_on_spot=body.resolved_on_spot,
            outcome=body.outcome,
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _dispute_detail_out(dispute))


@router.get("/disputes/checks-due", response=CheckPage)
def dispute_checks_due_list(
    request: HttpRequest, filters: Query[ChecksDueFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Agreement checks due by `on` (default today), most overdue first; `mine` for the disputes one owns."""
    unit = get_unit_for_safety(request.user, filters.unit) if filters.unit else None
    on = filters.on or timezone.localdate()
    queryset = dispute_checks_due(user=request.user, on=on, unit=unit, mine=filters.mine)
    return _page(queryset.select_related("checked_by"), paging, _check_out)


@router.get("/disputes/{dispute_id}", response=DisputeDetailOut)
def dispute_detail(request: HttpRequest, dispute_id: int) -> dict[str, Any]:
    """A dispute with its parties (phones masked), timeline, mediations and checks; the read is audited."""
    return _dispute_detail_out(get_dispute_detail_for_user(request.user, dispute_id))


@router.post("/disputes/{dispute_id}/transfer", response={200: DisputeDetailOut, 422: ProblemOut})
def dispute_transfer_endpoint(
    request: HttpRequest, dispute_id: int, body: TransferIn
) -> Status[dict[str, Any]]:
    dispute = get_dispute_for_handling(request.user, dispute_id)
    to = None
    if body.to is not None:
        to = next((u for u in transfer_candidates(dispute=dispute) if u.pk == body.to), None)
        if to is None:
            return _problem(ServiceError("只能移交给负责该网格或社区的人员", field="to"))
    try:
        dispute = dispute_transfer(actor=request.user, dispute=dispute, to=to, reason=body.reason)
    except ServiceError as exc:
        return _problem(exc)
    return Status(200, _dispute_detail_out(dispute))


@router.post("/disputes/{dispute_id}/mediation", response={201: DisputeDetailOut, 422: ProblemOut})
def dispute_mediation(request: HttpRequest, dispute_id: int, body: MediationIn) -> Status[dict[str, Any]]:
    """Record a mediation; an agreement settles the dispute and schedules checks at 7 and 30 days."""
    dispute = get_dispute_for_handling(request.user, dispute_id)
    try:
        dispute_mediate(
            actor=request.user,
            dispute=dispute,
            outcome=body.outcome,
            agreed=body.agreed,
            agreement_text=body.agreement_text,
            agreement_on=body.agreement_on,
            agreement_parties=body.agreement_parties,
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _dispute_detail_out(dispute))


@router.post("/disputes/{dispute_id}/checks/{check_id}", response={200: DisputeDetailOut, 422: ProblemOut})
def dispute_check(
    request: HttpRequest, dispute_id: int, check_id: int, body: CheckIn
) -> Status[dict[str, Any]]:
    """Record whether the agreement held; a broken one reopens the dispute."""
    dispute = get_dispute_for_handling(request.user, dispute_id)
    check = get_dispute_check(dispute, check_id)
    try:
        dispute_check_record(actor=request.user, check=check, held=body.held, note=body.note)
    except ServiceError as exc:
        return _problem(exc)
    dispute.refresh_from_db()
    return Status(200, _dispute_detail_out(dispute))


# Hazards.


@router.get("/hazards", response=HazardPage)
def hazard_list(request: HttpRequest, filters: Query[HazardFilters], paging: Query[Paging]) -> dict[str, Any]:
    """Hazards in scope; `state` open (by deadline), overdue (open past the deadline) or cleared."""
    unit = get_unit_for_safety(request.user, filters.unit) if filters.unit else None
    today = timezone.localdate()
    queryset = hazards_in(user=request.user, on=today, unit=unit, state=filters.state)
    return _page(queryset, paging, lambda h: _hazard_out(h, today))


@router.post("/hazards", response={201: HazardOut, 422: ProblemOut})
def hazard_create(request: HttpRequest, body: HazardIn) -> Status[dict[str, Any]]:
    """Log a hazard with the party responsible and the deadline for putting it right."""
    unit = get_unit_for_safety(request.user, body.unit)
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
    unit = get_unit_for_safety(request.user, filters.unit)
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
