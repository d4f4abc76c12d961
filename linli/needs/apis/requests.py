"""The /api/v1/ request endpoints (群众诉求): queues, filing, the ladder's steps and the timeline, scoped like
the pages through linli.needs.selectors.

Every step names the `version` the caller read: when someone else (or the deadline worker) acted in
between, the step is refused with 409 and nothing is written. Callers' phones are masked on the server.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.api.paging import Paging
from linli.api.schemas import ProblemOut, UnitRef
from linli.audit.services.events import audit_record
from linli.audit.services.reads import audit_read
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.needs.models import Request, RequestEvent
from linli.needs.selectors.categories import active_category
from linli.needs.selectors.requests import (
    QUEUES,
    allowed_actions,
    get_request_for_user,
    request_queue,
    request_timeline,
)
from linli.needs.services import requests as services
from linli.org.models import Unit
from linli.org.selectors.units import get_unit_for_user
from linli.registry.selectors.addresses import addresses_visible_to
from linli.registry.selectors.residents import residents_visible_to

router = Router(tags=["群众诉求"])


class RequestOut(Schema):
    """A request as queues show it: the caller's phone masked."""

    id: int
    number: str
    category: str
    category_name: str
    channel: str
    channel_label: str
    urgency: str
    urgency_label: str
    text: str
    caller_name: str
    caller_phone: str
    resident_id: int | None
    address_id: int | None
    address: str
    place_text: str
    unit: UnitRef
    holder: UnitRef
    held_since: datetime.datetime
    deadline_at: datetime.datetime
    overdue: bool
    handler: str | None
    state: str
    state_label: str
    version: int
    escalations: int
    satisfaction: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class RequestDetailOut(RequestOut):
    solution: str
    solved_at: datetime.datetime | None
    solved_on_time: bool | None
    closed_at: datetime.datetime | None
    satisfaction_comment: str
    feedback_method: str
    is_typical: bool
    # What the caller may do now: accept, escalate, return, handoff, handoff_response, solve, note, close.
    actions: list[str]


class RequestPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RequestOut]


class AttachmentOut(Schema):
    id: int
    name: str


class RequestEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    actor_name: str
    unit: UnitRef | None
    to_unit: UnitRef | None
    note: str
    data: dict[str, Any]
    created_at: datetime.datetime
    attachments: list[AttachmentOut]


def _date(value: Any) -> Any:
    if isinstance(value, str):
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date", "日期格式应为 YYYY-MM-DD") from None
    return value


class RequestFilters(Schema):
    queue: str = "all"
    state: str = ""
    category: str = ""
    unit: str = ""
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None

    @field_validator("queue")
    @classmethod
    def _queue(cls, value: str) -> str:
        if value not in QUEUES:
            choices = "、".join(f"{code}（{label}）" for code, label in QUEUES.items())
            raise PydanticCustomError("queue", "队列应为 {choices}", {"choices": choices})
        return value

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        if value and value not in Request.State.values:
            choices = "、".join(f"{code}（{label}）" for code, label in Request.State.choices)
            raise PydanticCustomError("state", "状态应为 {choices}", {"choices": choices})
        return value

    @field_validator("created_from", "created_to", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _date(value)


class RequestIn(Schema):
    """A request to file. `unit` is the grid or community where it arose; an address names its grid.

    A caller's phone is required unless `resident_id` names a registered resident.
    """

    category: str
    channel: str
    urgency: str = ""
    text: str = ""
    unit: str = ""
    resident_id: int | None = None
    caller_name: str = ""
    caller_phone: str = ""
    address_id: int | None = None
    place_text: str = ""


class VersionIn(Schema):
    """The version of the request the caller read (GET /requests/{id} → `version`)."""

    version: int = Field(None, validate_default=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> int:
        if value is None or value == "":
            raise PydanticCustomError("version", "请提供查看时读到的版本号（version）")
        if isinstance(value, bool):
            raise PydanticCustomError("version", "版本号应为正整数")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise PydanticCustomError("version", "版本号应为正整数") from None
        if number < 1:
            raise PydanticCustomError("version", "版本号应为正整数")
        return number


class EscalateIn(VersionIn):
    reason: str = ""


class ReturnIn(VersionIn):
    instructions: str = ""


class HandoffIn(VersionIn):
    # The outside body; empty means the category's competent body.
    body: str = ""
    note: str = ""


class HandoffResponseIn(VersionIn):
    response: str = ""


class SolveIn(VersionIn):
    solution: str = ""


class CloseIn(VersionIn):
    satisfaction: int | None = None
    comment: str = ""
    # member（责任人当面询问）or callback（电话回访）
    method: str = ""

    @field_validator("satisfaction", mode="before")
    @classmethod
    def _satisfaction(cls, value: Any) -> Any:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise PydanticCustomError("satisfaction", "请选择1到5分的满意度") from None


class NoteIn(Schema):
    note: str = ""


# The services name the model's fields; the API's body names the ids.
_BODY_FIELDS = {"resident": "resident_id", "address": "address_id"}


def _problem(exc: ServiceError, status: int = 422, where: str = "body") -> Status[dict[str, Any]]:
    field = _BODY_FIELDS.get(exc.field or "", exc.field)
    error = {"loc": [where, field] if field else [where], "msg": exc.message}
    return Status(status, {"detail": exc.message, "errors": [error]})


def _page(
    queryset: QuerySet[Request], paging: Paging, out: Callable[[Request], dict[str, Any]]
) -> dict[str, Any]:
    start = (paging.page - 1) * paging.page_size
    items: Iterable[Request] = queryset[start : start + paging.page_size]
    return {
        "count": queryset.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": [out(item) for item in items],
    }


def _unit(unit: Unit | None) -> dict[str, str] | None:
    return None if unit is None else {"code": unit.code, "name": unit.name}


def _request_out(request: Request) -> dict[str, Any]:
    handler = request.handler
    return {
        "id": request.pk,
        "number": request.number,
        "category": request.category.code,
        "category_name": request.category.name,
        "channel": request.channel,
        "channel_label": request.get_channel_display(),
        "urgency": request.urgency,
        "urgency_label": request.get_urgency_display(),
        "text": request.text,
        "caller_name": request.caller_name,
        "caller_phone": mask_phone(request.caller_phone),
        "resident_id": request.resident_id,
        "address_id": request.address_id,
        "address": request.address.full_text if request.address is not None else "",
        "place_text": request.place_text,
        "unit": _unit(request.unit),
        "holder": _unit(request.holder),
        "held_since": request.held_since,
        "deadline_at": request.deadline_at,
        "overdue": request.state == Request.State.OPEN and request.deadline_at < timezone.now(),
        "handler": None if handler is None else str(handler),
        "state": request.state,
        "state_label": request.get_state_display(),
        "version": request.version,
        "escalations": request.escalations,
        "satisfaction": request.satisfaction,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
    }


def _request_detail_out(user: Any, request: Request) -> dict[str, Any]:
    return {
        **_request_out(request),
        "solution": request.solution,
        "solved_at": request.solved_at,
        "solved_on_time": request.solved_on_time,
        "closed_at": request.closed_at,
        "satisfaction_comment": request.satisfaction_comment,
        "feedback_method": request.feedback_method,
        "is_typical": request.is_typical,
        "actions": sorted(allowed_actions(user, request).actions),
    }


def _event_out(event: RequestEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "actor_name": event.actor_name,
        "unit": _unit(event.unit),
        "to_unit": _unit(event.to_unit),
        "note": event.note,
        "data": event.data,
        "created_at": event.created_at,
        "attachments": [{"id": a.pk, "name": a.name} for a in event.attachments.all()],
    }


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def _require_handling(user: Any) -> None:
    """Roles that only read requests (auditors) get 403 before any service; the services check again."""
    if not scope_for(user).can_anywhere(Capability.HANDLE_REQUESTS):
        raise PermissionDenied


@router.get("/requests", response=RequestPage)
def request_list(
    request: HttpRequest, filters: Query[RequestFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A queue of the caller's units (`queue`: new, mine, overdue, escalated, solved, all), narrowed by
    state, category code, the unit where the requests arose and the filing dates."""
    queryset = request_queue(user=request.user, queue=filters.queue).select_related("address")
    if filters.unit:
        unit = get_unit_for_user(request.user, filters.unit)
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.created_from:
        queryset = queryset.filter(created_at__gte=_local_midnight(filters.created_from))
    if filters.created_to:
        day_after = filters.created_to + datetime.timedelta(days=1)
        queryset = queryset.filter(created_at__lt=_local_midnight(day_after))
    audit_read(user=request.user, action="request.list", detail={"queue": filters.queue, "page": paging.page})
    return _page(queryset, paging, _request_out)


@router.post("/requests", response={201: RequestDetailOut, 422: ProblemOut})
def request_create(request: HttpRequest, body: RequestIn) -> Status[dict[str, Any]]:
    """File a request where it arose; it is held there first. 403 for roles that only read."""
    user = request.user
    _require_handling(user)
    try:
        category = active_category(body.category)
        if category is None:
            raise ServiceError("诉求类别无效或已停用", field="category")
        address = None
        if body.address_id is not None:
            address = (
                addresses_visible_to(user=user).select_related("grid").filter(pk=body.address_id).first()
            )
            if address is None:
                raise ServiceError("该地址不在您的辖区", field="address")
        resident = None
        if body.resident_id is not None:
            resident = residents_visible_to(user=user).filter(pk=body.resident_id).first()
            if resident is None:
                raise ServiceError("该居民不在您的辖区", field="resident")
        if body.unit:
            unit = get_unit_for_user(user, body.unit)
        elif address is not None:
            unit = address.grid
        else:
            raise ServiceError("请选择诉求所在的网格或社区", field="unit")
        filed = services.request_file(
            actor=user,
            category=category,
            channel=body.channel,
            urgency=body.urgency,
            text=body.text,
            unit=unit,
            resident=resident,
            caller_name=body.caller_name,
            caller_phone=body.caller_phone,
            address=address,
            place_text=body.place_text,
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _request_detail_out(user, filed))


@router.get("/requests/{request_id}", response=RequestDetailOut)
def request_detail(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """One request with its version and what the caller may do now; the read is audited."""
    found = get_request_for_user(request.user, request_id)
    audit_record(actor=request.user, action="request.view", obj=found, unit_path=found.unit_path)
    return _request_detail_out(request.user, found)


@router.get("/requests/{request_id}/events", response=list[RequestEventOut])
def request_events(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    """The timeline, oldest first: every step, who took it, from which unit to which."""
    found = get_request_for_user(request.user, request_id)
    audit_read(user=request.user, action="request.events", obj=found, unit_path=found.unit_path)
    return [_event_out(e) for e in request_timeline(request=found)]


@router.post("/requests/{request_id}/events", response={201: RequestEventOut, 422: ProblemOut})
def request_add_note(request: HttpRequest, request_id: int, body: NoteIn) -> Status[dict[str, Any]]:
    """Add a note to the timeline (where it arose, or the unit holding it); 403 for roles that only read."""
    found = get_request_for_user(request.user, request_id)
    _require_handling(request.user)
    try:
        event = services.request_note(actor=request.user, request=found, note=body.note)
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _event_out(event))


_STEP_RESPONSES = {200: RequestDetailOut, 409: ProblemOut, 422: ProblemOut}


def _step(
    request: HttpRequest, request_id: int, action: Callable[[Request], Request]
) -> Status[dict[str, Any]]:
    """Access the request (404), refuse read-only roles (403), take the step: 409 if it changed meanwhile."""
    found = get_request_for_user(request.user, request_id)
    _require_handling(request.user)
    try:
        updated = action(found)
    except services.ChangedByOthers as exc:
        return _problem(exc, status=409)
    except ServiceError as exc:
        return _problem(exc)
    return Status(200, _request_detail_out(request.user, updated))


@router.post("/requests/{request_id}/accept", response=_STEP_RESPONSES)
def request_accept(request: HttpRequest, request_id: int, body: VersionIn) -> Status[dict[str, Any]]:
    """Take the request on for the unit holding it (承办)."""
    return _step(
        request,
        request_id,
        lambda r: services.request_accept(actor=request.user, request=r, version=body.version),
    )


@router.post("/requests/{request_id}/escalate", response=_STEP_RESPONSES)
def request_escalate(request: HttpRequest, request_id: int, body: EscalateIn) -> Status[dict[str, Any]]:
    """Pass the request one level up the ladder, with the reason."""
    return _step(
        request,
        request_id,
        lambda r: services.request_escalate(
            actor=request.user, request=r, version=body.version, reason=body.reason
        ),
    )


@router.post("/requests/{request_id}/return", response=_STEP_RESPONSES)
def request_return(request: HttpRequest, request_id: int, body: ReturnIn) -> Status[dict[str, Any]]:
    """Send the request back to the unit that escalated it, with instructions."""
    return _step(
        request,
        request_id,
        lambda r: services.request_return(
            actor=request.user, request=r, version=body.version, instructions=body.instructions
        ),
    )


@router.post("/requests/{request_id}/handoff", response=_STEP_RESPONSES)
def request_handoff(request: HttpRequest, request_id: int, body: HandoffIn) -> Status[dict[str, Any]]:
    """Record the hand-off to an outside competent body (default: the category's)."""
    return _step(
        request,
        request_id,
        lambda r: services.request_handoff(
            actor=request.user, request=r, version=body.version, body=body.body, note=body.note
        ),
    )


@router.post("/requests/{request_id}/handoff-response", response=_STEP_RESPONSES)
def request_handoff_response(
    request: HttpRequest, request_id: int, body: HandoffResponseIn
) -> Status[dict[str, Any]]:
    """Record the outside body's answer to a hand-off."""
    return _step(
        request,
        request_id,
        lambda r: services.request_handoff_response(
            actor=request.user, request=r, version=body.version, response=body.response
        ),
    )


@router.post("/requests/{request_id}/solve", response=_STEP_RESPONSES)
def request_solve(request: HttpRequest, request_id: int, body: SolveIn) -> Status[dict[str, Any]]:
    """The holder solved it: what was done. It then waits for the resident's rating."""
    return _step(
        request,
        request_id,
        lambda r: services.request_solve(
            actor=request.user, request=r, version=body.version, solution=body.solution
        ),
    )


@router.post("/requests/{request_id}/close", response=_STEP_RESPONSES)
def request_close(request: HttpRequest, request_id: int, body: CloseIn) -> Status[dict[str, Any]]:
    """Close a solved request with the resident's satisfaction (1–5), asked in person or by a call-back."""
    return _step(
        request,
        request_id,
        lambda r: services.request_close(
            actor=request.user,
            request=r,
            version=body.version,
            satisfaction=body.satisfaction,
            comment=body.comment,
            method=body.method,
        ),
    )
