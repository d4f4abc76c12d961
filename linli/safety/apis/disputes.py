"""The /api/v1/ dispute endpoints, scoped like the pages.

Parties' phones are masked on the server; reading a dispute's detail is audited. Out of scope is 404,
read-only roles get 403 on writes, and bad input 422 with a Chinese message.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from linli.accounts.models import Capability
from linli.api.errors import OneOf, problem_body
from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import ProblemOut
from linli.core.limits import text_limit
from linli.core.users import signed_in
from linli.org.selectors.units import get_area_for_user, require_right
from linli.safety.models import (
    TRANSFER_REASON_MAX_LENGTH,
    Dispute,
    DisputeCheck,
    DisputeEvent,
    DisputeParty,
    Mediation,
)
from linli.safety.selectors.disputes import (
    PartyRow,
    dispute_checks_due,
    dispute_parties,
    dispute_timeline,
    disputes_in,
    get_dispute_check,
    get_dispute_detail_for_user,
    get_dispute_for_handling,
    transfer_candidates,
)
from linli.safety.services.disputes import (
    PartyInput,
    dispute_check_record,
    dispute_log,
    dispute_mediate,
    dispute_transfer,
)

if TYPE_CHECKING:
    from linli.accounts.models import User

router = Router()


def _text(model: type[Model], name: str) -> Any:
    """An optional text field documenting its column's limit; the service refuses longer text."""
    return Field("", json_schema_extra={"maxLength": text_limit(model, name)})


class SafetyMemberOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(user: User) -> str:
        return str(user)


class PartyIn(Schema):
    name: str = _text(DisputeParty, "name")
    phone: str = _text(DisputeParty, "phone")


class PartyOut(Schema):
    name: str
    phone: str


class DisputeIn(Schema):
    """A dispute to log in a grid or community (`unit` is its code); `occurred_on` defaults to today."""

    unit: str
    kind: Annotated[str, OneOf("纠纷类型", Dispute.Kind.choices)]
    summary: str = _text(Dispute, "summary")
    occurred_on: datetime.date | None = None
    place: str = _text(Dispute, "place")
    parties: list[PartyIn] = []
    resolved_on_spot: bool = False
    # What settled it on the spot: the agreement of the mediation it records.
    outcome: str = _text(Mediation, "outcome")


class DisputeOut(Schema):
    id: int
    unit_path: str
    kind: Annotated[str, OneOf("纠纷类型", Dispute.Kind.choices)]
    kind_label: str
    summary: str
    place: str
    occurred_on: datetime.date
    state: Annotated[str, OneOf("状态", Dispute.State.choices)]
    state_label: str
    resolved_on_spot: bool
    owner: SafetyMemberOut
    logged_by: SafetyMemberOut
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(dispute: Dispute) -> str:
        return dispute.get_kind_display()

    @staticmethod
    def resolve_state_label(dispute: Dispute) -> str:
        return dispute.get_state_display()


class SafetyEventOut(Schema):
    at: datetime.datetime
    kind: Annotated[str, OneOf("事项", DisputeEvent.Kind.choices)]
    kind_label: str
    actor: str
    to_user: SafetyMemberOut | None
    text: str

    @staticmethod
    def resolve_kind_label(event: DisputeEvent) -> str:
        return event.get_kind_display()

    @staticmethod
    def resolve_actor(event: DisputeEvent) -> str:
        return str(event.actor) if event.actor_id else "系统"


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

    @staticmethod
    def resolve_mediated_by(mediation: Mediation) -> str:
        return str(mediation.mediated_by)


class CheckOut(Schema):
    id: int
    dispute_id: int
    days_after: int
    due_on: datetime.date
    state: Annotated[str, OneOf("结果", DisputeCheck.State.choices)]
    state_label: str
    checked_by: str
    checked_at: datetime.datetime | None
    note: str

    @staticmethod
    def resolve_state_label(check: DisputeCheck) -> str:
        return check.get_state_display()

    @staticmethod
    def resolve_checked_by(check: DisputeCheck) -> str:
        return str(check.checked_by) if check.checked_by_id else ""


class DisputeDetailOut(DisputeOut):
    parties: list[PartyOut]
    events: list[SafetyEventOut]
    mediations: list[MediationOut]
    checks: list[CheckOut]

    @staticmethod
    def resolve_parties(dispute: Dispute) -> list[PartyRow]:
        # Phones masked by the selector.
        return dispute_parties(dispute=dispute)

    @staticmethod
    def resolve_events(dispute: Dispute) -> QuerySet[DisputeEvent]:
        return dispute_timeline(dispute=dispute)

    @staticmethod
    def resolve_mediations(dispute: Dispute) -> QuerySet[Mediation]:
        return dispute.mediations.select_related("mediated_by").order_by("created_at", "id")

    @staticmethod
    def resolve_checks(dispute: Dispute) -> QuerySet[DisputeCheck]:
        return dispute.checks.select_related("checked_by").order_by("due_on", "id")


class DisputePage(Page[DisputeOut]):
    pass


class CheckPage(Page[CheckOut]):
    pass


class DisputeFilters(Schema):
    unit: str = ""
    state: Annotated[str, OneOf("状态", Dispute.State.choices, blank=True)] = ""


class ChecksDueFilters(Schema):
    unit: str = ""
    mine: bool = False
    on: datetime.date | None = None


class TransferIn(Schema):
    """Hand the dispute to a member by user id; without `to`, to the community officer."""

    to: int | None = None
    reason: str = Field("", json_schema_extra={"maxLength": TRANSFER_REASON_MAX_LENGTH})


class MediationIn(Schema):
    outcome: str = _text(Mediation, "outcome")
    agreed: bool = False
    agreement_text: str = _text(Mediation, "agreement_text")
    agreement_on: datetime.date | None = None
    agreement_parties: str = _text(Mediation, "agreement_parties")


class CheckIn(Schema):
    held: bool
    note: str = _text(DisputeCheck, "note")


@router.get("/disputes", response=DisputePage)
def dispute_list(
    request: HttpRequest, filters: Query[DisputeFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Disputes in scope, newest first; `unit` narrows to a unit, `state` to open or resolved ones."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, filters.unit) if filters.unit else None
    queryset = disputes_in(user=user, unit=unit, state=filters.state).select_related("logged_by")
    return page_of(queryset, paging)


@router.post("/disputes", response={201: DisputeDetailOut, 422: ProblemOut})
def dispute_create(request: HttpRequest, body: DisputeIn) -> Status[Dispute]:
    """Log a dispute; unless settled on the spot it goes to the community officer, who is told either way."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, body.unit)
    require_right(user, Capability.HANDLE_SAFETY, unit.path)
    dispute = dispute_log(
        actor=user,
        unit=unit,
        kind=body.kind,
        summary=body.summary,
        occurred_on=body.occurred_on or timezone.localdate(),
        place=body.place,
        parties=[PartyInput(p.name, p.phone) for p in body.parties],
        resolved_on_spot=body.resolved_on_spot,
        outcome=body.outcome,
    )
    return Status(201, dispute)


@router.get("/disputes/checks-due", response=CheckPage)
def dispute_checks_due_list(
    request: HttpRequest, filters: Query[ChecksDueFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Agreement checks due by `on` (default today), most overdue first; `mine` for the disputes one owns."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, filters.unit) if filters.unit else None
    on = filters.on or timezone.localdate()
    queryset = dispute_checks_due(user=user, on=on, unit=unit, mine=filters.mine)
    return page_of(queryset.select_related("checked_by"), paging)


@router.get("/disputes/{dispute_id}", response=DisputeDetailOut)
def dispute_detail(request: HttpRequest, dispute_id: int) -> Dispute:
    """A dispute with its parties (phones masked), timeline, mediations and checks; the read is audited."""
    user = signed_in(request.user)
    return get_dispute_detail_for_user(user, dispute_id)


@router.post("/disputes/{dispute_id}/transfer", response={200: DisputeDetailOut, 422: ProblemOut})
def dispute_transfer_endpoint(request: HttpRequest, dispute_id: int, body: TransferIn) -> Status[Any]:
    user = signed_in(request.user)
    dispute = get_dispute_for_handling(user, dispute_id)
    to = None
    if body.to is not None:
        to = next((u for u in transfer_candidates(dispute=dispute) if u.pk == body.to), None)
        if to is None:
            return Status(422, problem_body("只能移交给负责该网格或社区的人员", field="to"))
    return Status(200, dispute_transfer(actor=user, dispute=dispute, to=to, reason=body.reason))


@router.post("/disputes/{dispute_id}/mediation", response={201: DisputeDetailOut, 422: ProblemOut})
def dispute_mediation(request: HttpRequest, dispute_id: int, body: MediationIn) -> Status[Dispute]:
    """Record a mediation; an agreement settles the dispute and schedules checks at 7 and 30 days."""
    user = signed_in(request.user)
    dispute = get_dispute_for_handling(user, dispute_id)
    dispute_mediate(
        actor=user,
        dispute=dispute,
        outcome=body.outcome,
        agreed=body.agreed,
        agreement_text=body.agreement_text,
        agreement_on=body.agreement_on,
        agreement_parties=body.agreement_parties,
    )
    return Status(201, dispute)


@router.post("/disputes/{dispute_id}/checks/{check_id}", response={200: DisputeDetailOut, 422: ProblemOut})
def dispute_check(request: HttpRequest, dispute_id: int, check_id: int, body: CheckIn) -> Status[Dispute]:
    """Record whether the agreement held; a broken one reopens the dispute."""
    user = signed_in(request.user)
    dispute = get_dispute_for_handling(user, dispute_id)
    check = get_dispute_check(dispute, check_id)
    dispute_check_record(actor=user, check=check, held=body.held, note=body.note)
    dispute.refresh_from_db()
    return Status(200, dispute)
