"""The /api/v1/ request endpoints (群众诉求): queues, filing, the ladder's steps and the timeline, scoped like
the pages through linli.needs.selectors.

Every step names the `version` the caller read: when someone else (or the deadline worker) acted in
between, the step is refused with 409 and nothing is written. Callers' phones are masked on the server.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, TextChoices
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import ProblemOut, UnitRef
from linli.audit.services.reads import audit_read
from linli.core import paths
from linli.core.masking import mask_phone
from linli.core.users import signed_in
from linli.needs.models import Channel, Request, RequestEvent, Urgency
from linli.needs.selectors.requests import (
    QUEUES,
    allowed_actions,
    get_request_for_user,
    get_request_to_view,
    request_queue,
    request_timeline,
)
from linli.needs.services import requests as services
from linli.needs.services.requests import (
    CALLER_NAME_MAX,
    CALLER_PHONE_MAX,
    CLOSING_METHODS,
    COMMENT_MAX,
    HANDOFF_BODY_MAX,
    NOTE_MAX,
    PLACE_TEXT_MAX,
    SOLUTION_MAX,
    TEXT_MAX,
)
from linli.org.selectors.units import get_unit_for_user

# A category is a row of a table, not a choice of the schema: its code is one of those Open311's
# GET /open311/v2/services.json lists (service_code), the active categories.
CATEGORY_CODES = "诉求类别编码：启用中的类别，见 Open311 接口 /open311/v2/services.json 的 service_code"

router = Router(tags=["群众诉求"])


def choices_of(choices: type[TextChoices] | Iterable[str], *, blank: bool = False, **kwargs: Any) -> Any:
    """A text field's schema with its values listed as an enum, read from the model's choices.

    Inline in the schema rather than a component: names like State and Kind repeat across apps. The
    values are checked where they always were (the service, or the field's validator), so a wrong one
    keeps its Chinese message and its place in the error body.
    """
    values = list(choices.values) if isinstance(choices, type) else list(choices)
    extra: dict[str, Any] = {"enum": ["", *values] if blank else values}
    return Field(json_schema_extra=extra, **kwargs)


def limited(limit: int, **kwargs: Any) -> Any:
    """A text field's schema with its limit (the model field's max_length); the service refuses longer
    text with the same message as the pages."""
    return Field(json_schema_extra={"maxLength": limit}, **kwargs)


class RequestOut(Schema):
    """A request as queues show it: the caller's phone masked."""

    id: int
    number: str
    category: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    channel: Annotated[str, choices_of(Channel)]
    channel_label: str = Field(alias="get_channel_display")
    urgency: Annotated[str, choices_of(Urgency)]
    urgency_label: str = Field(alias="get_urgency_display")
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
    state: Annotated[str, choices_of(Request.State)]
    state_label: str = Field(alias="get_state_display")
    version: int
    escalations: int
    satisfaction: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_caller_phone(obj: Request) -> str:
        return mask_phone(obj.caller_phone)

    @staticmethod
    def resolve_address(obj: Request) -> str:
        return obj.address.full_text if obj.address is not None else ""

    @staticmethod
    def resolve_overdue(obj: Request) -> bool:
        return obj.state == Request.State.OPEN and obj.deadline_at < timezone.now()

    @staticmethod
    def resolve_handler(obj: Request) -> str | None:
        return None if obj.handler is None else str(obj.handler)


class RequestDetailOut(RequestOut):
    solution: str
    solved_at: datetime.datetime | None
    solved_on_time: bool | None
    closed_at: datetime.datetime | None
    satisfaction_comment: str
    feedback_method: Annotated[str, choices_of(Request.FeedbackMethod, blank=True)]
    is_typical: bool
    # What the caller may do now: accept, escalate, return, handoff, handoff_response, solve, note, close.
    actions: list[str]

    @staticmethod
    def resolve_actions(obj: Request, context: dict[str, Any]) -> list[str]:
        return sorted(allowed_actions(context["request"].user, obj).actions)


class RequestPage(Page[RequestOut]):
    pass


class AttachmentOut(Schema):
    id: int
    name: str


class RequestEventOut(Schema):
    id: int
    kind: Annotated[str, choices_of(RequestEvent.Kind)]
    kind_label: str = Field(alias="get_kind_display")
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
    queue: Annotated[str, choices_of(QUEUES)] = "all"
    state: Annotated[str, choices_of(Request.State, blank=True)] = ""
    category: Annotated[str, Field(description=CATEGORY_CODES)] = ""
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

    category: Annotated[str, Field(description=CATEGORY_CODES)]
    channel: Annotated[str, choices_of(Channel)]
    # Empty: the category's default urgency.
    urgency: Annotated[str, choices_of(Urgency, blank=True)] = ""
    text: Annotated[str, limited(TEXT_MAX)] = ""
    unit: str = ""
    resident_id: int | None = None
    caller_name: Annotated[str, limited(CALLER_NAME_MAX)] = ""
    caller_phone: Annotated[str, limited(CALLER_PHONE_MAX)] = ""
    address_id: int | None = None
    place_text: Annotated[str, limited(PLACE_TEXT_MAX)] = ""


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
    reason: Annotated[str, limited(NOTE_MAX)] = ""


class ReturnIn(VersionIn):
    instructions: Annotated[str, limited(NOTE_MAX)] = ""


class HandoffIn(VersionIn):
    # The outside body; empty means the category's competent body.
    body: Annotated[str, limited(HANDOFF_BODY_MAX)] = ""
    note: Annotated[str, limited(NOTE_MAX)] = ""


class HandoffResponseIn(VersionIn):
    response: Annotated[str, limited(NOTE_MAX)] = ""


class SolveIn(VersionIn):
    solution: Annotated[str, limited(SOLUTION_MAX)] = ""


class CloseIn(VersionIn):
    satisfaction: int | None = None
    comment: Annotated[str, limited(COMMENT_MAX)] = ""
    # member（责任人当面询问）or callback（电话回访）
    method: Annotated[str, choices_of(CLOSING_METHODS)] = ""

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
    note: Annotated[str, limited(NOTE_MAX)] = ""


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def _require_handling(user: User) -> None:
    """Roles that only read requests (auditors) get 403 before any service; the services check again."""
    if not scope_for(user).can_anywhere(Capability.HANDLE_REQUESTS):
        raise PermissionDenied


@router.get("/requests", response=RequestPage)
def request_list(
    request: HttpRequest, filters: Query[RequestFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A queue of the caller's units (`queue`: new, mine, overdue, escalated, solved, all), narrowed by
    state, category code, the unit where the requests arose and the filing dates."""
    user = signed_in(request.user)
    queryset = request_queue(user=user, queue=filters.queue).select_related("address")
    if filters.unit:
        unit = get_unit_for_user(user, filters.unit)
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
    audit_read(user=user, action="request.list", detail={"queue": filters.queue, "page": paging.page})
    return page_of(queryset, paging)


@router.post("/requests", response={201: RequestDetailOut, 422: ProblemOut})
def request_create(request: HttpRequest, body: RequestIn) -> Status[Request]:
    """File a request where it arose; it is held there first. 403 for roles that only read."""
    user = signed_in(request.user)
    _require_handling(user)
    filing = services.filing_resolve(
        actor=user,
        category_code=body.category,
        unit_code=body.unit,
        address_id=body.address_id,
        resident_id=body.resident_id,
    )
    filed = services.request_file(
        actor=user,
        channel=body.channel,
        urgency=body.urgency,
        text=body.text,
        caller_name=body.caller_name,
        caller_phone=body.caller_phone,
        place_text=body.place_text,
        **filing.refs(),
    )
    return Status(201, filed)


@router.get("/requests/{request_id}", response=RequestDetailOut)
def request_detail(request: HttpRequest, request_id: int) -> Request:
    """One request with its version and what the caller may do now; the read is audited."""
    user = signed_in(request.user)
    found = get_request_to_view(user, request_id)
    return found


@router.get("/requests/{request_id}/events", response=list[RequestEventOut])
def request_events(request: HttpRequest, request_id: int) -> QuerySet[RequestEvent]:
    """The timeline, oldest first: every step, who took it, from which unit to which."""
    user = signed_in(request.user)
    found = get_request_for_user(user, request_id)
    audit_read(user=user, action="request.events", obj=found, unit_path=found.unit_path)
    return request_timeline(request=found)


@router.post("/requests/{request_id}/events", response={201: RequestEventOut, 422: ProblemOut})
def request_add_note(request: HttpRequest, request_id: int, body: NoteIn) -> Status[RequestEvent]:
    """Add a note to the timeline (where it arose, or the unit holding it); 403 for roles that only read."""
    user = signed_in(request.user)
    found = get_request_for_user(user, request_id)
    _require_handling(user)
    event = services.request_note(actor=user, request=found, note=body.note)
    return Status(201, event)


_STEP_RESPONSES = {200: RequestDetailOut, 409: ProblemOut, 422: ProblemOut}


def _step(request: HttpRequest, request_id: int, action: Callable[[Request], Request]) -> Request:
    """Access the request (404), refuse read-only roles (403), take the step: 409 if it changed meanwhile
    (`ChangedByOthers.status`), 422 for any other refusal."""
    user = signed_in(request.user)
    found = get_request_for_user(user, request_id)
    _require_handling(user)
    return action(found)


@router.post("/requests/{request_id}/accept", response=_STEP_RESPONSES)
def request_accept(request: HttpRequest, request_id: int, body: VersionIn) -> Request:
    """Take the request on for the unit holding it (承办)."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_accept(actor=user, request=r, version=body.version),
    )


@router.post("/requests/{request_id}/escalate", response=_STEP_RESPONSES)
def request_escalate(request: HttpRequest, request_id: int, body: EscalateIn) -> Request:
    """Pass the request one level up the ladder, with the reason."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_escalate(actor=user, request=r, version=body.version, reason=body.reason),
    )


@router.post("/requests/{request_id}/return", response=_STEP_RESPONSES)
def request_return(request: HttpRequest, request_id: int, body: ReturnIn) -> Request:
    """Send the request back to the unit that escalated it, with instructions."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_return(
            actor=user, request=r, version=body.version, instructions=body.instructions
        ),
    )


@router.post("/requests/{request_id}/handoff", response=_STEP_RESPONSES)
def request_handoff(request: HttpRequest, request_id: int, body: HandoffIn) -> Request:
    """Record the hand-off to an outside competent body (default: the category's)."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_handoff(
            actor=user, request=r, version=body.version, body=body.body, note=body.note
        ),
    )


@router.post("/requests/{request_id}/handoff-response", response=_STEP_RESPONSES)
def request_handoff_response(request: HttpRequest, request_id: int, body: HandoffResponseIn) -> Request:
    """Record the outside body's answer to a hand-off."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_handoff_response(
            actor=user, request=r, version=body.version, response=body.response
        ),
    )


@router.post("/requests/{request_id}/solve", response=_STEP_RESPONSES)
def request_solve(request: HttpRequest, request_id: int, body: SolveIn) -> Request:
    """The holder solved it: what was done. It then waits for the resident's rating."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_solve(actor=user, request=r, version=body.version, solution=body.solution),
    )


@router.post("/requests/{request_id}/close", response=_STEP_RESPONSES)
def request_close(request: HttpRequest, request_id: int, body: CloseIn) -> Request:
    """Close a solved request with the resident's satisfaction (1–5), asked in person or by a call-back."""
    user = signed_in(request.user)
    return _step(
        request,
        request_id,
        lambda r: services.request_close(
            actor=user,
            request=r,
            version=body.version,
            satisfaction=body.satisfaction,
            comment=body.comment,
            method=body.method,
        ),
    )
