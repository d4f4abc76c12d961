"""The /api/v1/ dispute endpoints, scoped like the pages.

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

from linli.api.paging import Paging
from linli.api.schemas import ProblemOut
from linli.core.errors import ServiceError
from linli.org.selectors.units import get_area_for_user
from linli.safety.models import Dispute, DisputeCheck
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
from linli.safety.selectors.units import require_safety_work
from linli.safety.services.disputes import (
    PartyInput,
    dispute_check_record,
    dispute_log,
    dispute_mediate,
    dispute_transfer,
)

router = Router()

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


@router.get("/disputes", response=DisputePage)
def dispute_list(
    request: HttpRequest, filters: Query[DisputeFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Disputes in scope, newest first; `unit` narrows to a unit, `state` to open or resolved ones."""
    unit = get_area_for_user(request.user, filters.unit) if filters.unit else None
    queryset = disputes_in(user=request.user, unit=unit, state=filters.state).select_related("logged_by")
    return _page(queryset, paging, _dispute_out)


@router.post("/disputes", response={201: DisputeDetailOut, 422: ProblemOut})
def dispute_create(request: HttpRequest, body: DisputeIn) -> Status[dict[str, Any]]:
    """Log a dispute; unless settled on the spot it goes to the community officer, who is told either way."""
    unit = get_area_for_user(request.user, body.unit)
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
    unit = get_area_for_user(request.user, filters.unit) if filters.unit else None
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
