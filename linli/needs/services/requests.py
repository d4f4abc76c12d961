"""Writes on requests: file, accept, note, escalate, send back, hand off, solve, close, and the deadline
worker (S1–S7).

Every change of state is `_transition`: one conditional UPDATE … WHERE id = … AND version = … that
bumps the version. Whoever loses a race (two people pressing "上报" at once, or a person and the
deadline worker) updates no row and gets `ChangedByOthers`; nothing they did is written. The event
of the timeline is added in the same transaction as the change it describes.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.core.limits import text_limit, too_long
from linli.lib.phone import PhoneError, normalise_phone
from linli.needs.models import (
    Channel,
    Request,
    RequestAttachment,
    RequestCategory,
    RequestEvent,
    RequestHold,
    Urgency,
)
from linli.needs.selectors import ladder
from linli.needs.selectors.categories import active_category
from linli.needs.selectors.requests import can_act, can_close, handlers_of, may_note
from linli.notify.services.notifications import notify
from linli.org.models import Unit
from linli.org.selectors.units import ReadOnlyAccess, get_unit_for_user
from linli.registry.selectors.addresses import addresses_visible_to
from linli.registry.selectors.residents import residents_visible_to

if TYPE_CHECKING:
    from linli.care.models import Contact, KeyPerson
    from linli.registry.models import Address, Resident

TEXT_MAX = text_limit(Request, "text")
CALLER_NAME_MAX = text_limit(Request, "caller_name")
CALLER_PHONE_MAX = text_limit(Request, "caller_phone")
PLACE_TEXT_MAX = text_limit(Request, "place_text")
SOLUTION_MAX = text_limit(Request, "solution")
COMMENT_MAX = text_limit(Request, "satisfaction_comment")
# Notes, reasons, instructions and answers are the note of a timeline event.
NOTE_MAX = text_limit(RequestEvent, "note")
# The outside body a request is handed to: a category's, or another one named by the holder.
HANDOFF_BODY_MAX = text_limit(RequestCategory, "handoff_body")
ATTACHMENT_NAME_MAX = text_limit(RequestAttachment, "name")
# How a member records the resident's satisfaction (the link is the resident's own way).
CLOSING_METHODS = (Request.FeedbackMethod.MEMBER, Request.FeedbackMethod.CALLBACK)
ATTACHMENTS_MAX = 5
ATTACHMENT_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
SYSTEM_NAME = "系统"


class ChangedByOthers(ServiceError):
    """The request changed since the caller read it (another person, or the deadline worker); the API
    answers 409."""

    status = 409

    def __init__(self) -> None:
        super().__init__("该诉求刚被他人处理过，请刷新后查看最新情况再操作", field="version")


def _name_of(actor: User | None) -> str:
    if actor is None:
        return SYSTEM_NAME
    return getattr(actor, "display_name", "") or actor.get_username()


def _text(value: str, *, field: str, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"请填写{what}", field=field)
    if len(value) > limit:
        raise ServiceError(too_long(limit, what), field=field)
    return value


def _deadline(category: RequestCategory, urgency: str, since: datetime.datetime) -> datetime.datetime:
    return since + datetime.timedelta(hours=category.hours_for(urgency))


def _event(
    request: Request,
    kind: str,
    actor: User | None,
    *,
    unit: Unit | None = None,
    to_unit: Unit | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    actor_name: str = "",
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_name or _name_of(actor),
        unit=unit,
        to_unit=to_unit,
        note=note,
        data=data or {},
    )


def _attach(event: RequestEvent, files: Iterable[UploadedFile[bytes]]) -> None:
    files = list(files)
    if len(files) > ATTACHMENTS_MAX:
        raise ServiceError(f"每次最多上传{ATTACHMENTS_MAX}个附件", field="attachments")
    for upload in files:
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in ATTACHMENT_TYPES:
            raise ServiceError(
                f"附件“{upload.name}”的类型不支持，只能上传照片（JPG、PNG、WebP）或PDF", field="attachments"
            )
        size = upload.size or 0
        if size > settings.LINLI_ATTACHMENT_MAX_BYTES:
            limit = settings.LINLI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
            raise ServiceError(f"附件“{upload.name}”超过{limit}MB", field="attachments")
        if size == 0:
            raise ServiceError(f"附件“{upload.name}”是空文件", field="attachments")
        head = upload.read(8)
        upload.seek(0)
        if not _looks_like(content_type, head):
            raise ServiceError(f"附件“{upload.name}”的内容与类型不符", field="attachments")
        name = upload.name or "附件"
        if len(name) > ATTACHMENT_NAME_MAX:
            raise ServiceError(too_long(ATTACHMENT_NAME_MAX, f"附件“{name}”的文件名"), field="attachments")
        RequestAttachment.objects.create(
            event=event,
            file=upload,
            name=name,
            content_type=content_type,
            size=size,
        )


def _looks_like(content_type: str, head: bytes) -> bool:
    signatures = {
        "image/jpeg": (b"\xff\xd8\xff",),
        "image/png": (b"\x89PNG",),
        "image/webp": (b"RIFF",),
        "application/pdf": (b"%PDF",),
    }
    return head.startswith(signatures[content_type])


def _notify_unit(unit: Unit, text: str, *, skip: User | None = None) -> None:
    for user in handlers_of(unit):
        if skip is not None and user.pk == getattr(skip, "pk", None):
            continue
        notify(recipient=user, text=text, unit_path=unit.path, phone=user.phone)


def _reload(request: Request, version: int | None) -> Request:
    """The request as stored; a version other than the caller's means someone else acted first."""
    fresh = Request.objects.select_related("holder", "category", "unit").get(pk=request.pk)
    if version is not None and fresh.version != version:
        raise ChangedByOthers
    return fresh


def _transition(request: Request, expected_state: str, **changes: Any) -> None:
    """Apply `changes` if nobody changed the request since `request.version` was read."""
    now = timezone.now()
    updated = Request.objects.filter(pk=request.pk, version=request.version, state=expected_state).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if updated != 1:
        raise ChangedByOthers
    for name, value in changes.items():
        setattr(request, name, value)
    request.version += 1
    request.updated_at = now


def _require_act(actor: User, request: Request) -> None:
    if request.state != Request.State.OPEN:
        raise ServiceError("该诉求已解决，不能再办理", field="state")
    if not can_act(actor, request):
        raise ReadOnlyAccess


def _moved_to(request: Request, to: Unit, now: datetime.datetime) -> dict[str, Any]:
    """The field changes for handing the request to `to`: a fresh deadline, nobody handling it yet."""
    return {
        "holder": to,
        "holder_path": to.path,
        "held_since": now,
        "deadline_at": _deadline(request.category, request.urgency, now),
        "handler": None,
        "overdue_notified_at": None,
    }


def _hold(request: Request, to: Unit, *, came_from: Unit | None, now: datetime.datetime) -> None:
    """Close the current turn on the route and open `to`'s (after the transition claimed the row)."""
    RequestHold.objects.filter(request=request, until__isnull=True).update(until=now)
    RequestHold.objects.create(request=request, unit=to, from_unit=came_from, since=now)


class FilingRefused(ServiceError):
    """A filing names a category, address, resident or place that is unknown or not the filer's.

    `reason` ("category", "address", "resident", "place") lets an entry point with its own wording
    (Open311's error list) say it its way; the message is the API's and the pages'.
    """

    def __init__(self, message: str, *, field: str, reason: str) -> None:
        super().__init__(message, field=field)
        self.reason = reason


@dataclass(frozen=True)
class Filing:
    """What a filing names, resolved: `request_file(**filing.refs(), ...)`."""

    category: RequestCategory
    # Where it arose: the unit named, else the address's grid (request_file prefers the address's).
    unit: Unit
    address: Address | None = None
    resident: Resident | None = None
    key_person: KeyPerson | None = None

    def refs(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "unit": self.unit,
            "address": self.address,
            "resident": self.resident,
            "key_person": self.key_person,
        }


def filing_resolve(
    *,
    actor: User | None,
    category_code: str = "",
    category_id: int | None = None,
    unit: Unit | None = None,
    unit_code: str = "",
    address_id: int | None = None,
    resident_id: int | None = None,
    key_person: KeyPerson | None = None,
) -> Filing:
    """The one reading of what a filing names, for every entry point (the page, the API, Open311, the
    public grid page): the active category by code or id, the address and the resident among those
    `actor` sees, a key person's resident, address and unit, and the unit where the request arose
    (an accessed unit, a code the actor sees — Http404 otherwise — or the address's grid).

    Whether the actor may file there, the channel, the urgency (default: the category's) and the
    texts are `request_file`'s to check.
    """
    if category_id is not None:
        category = RequestCategory.objects.filter(pk=category_id, is_active=True).first()
    else:
        category = active_category(category_code)
    if category is None:
        raise FilingRefused("诉求类别无效或已停用", field="category", reason="category")
    address = resident = None
    if address_id is not None:
        address = addresses_visible_to(user=actor).select_related("grid").filter(pk=address_id).first()
        if address is None:
            raise FilingRefused("该地址不在您的辖区", field="address", reason="address")
    if resident_id is not None:
        resident = residents_visible_to(user=actor).filter(pk=resident_id).first()
        if resident is None:
            raise FilingRefused("该居民不在您的辖区", field="resident", reason="resident")
    if key_person is not None:
        resident = key_person.resident
        address = resident.address
        unit = Unit.objects.filter(path=key_person.unit_path).first()
    elif unit_code:
        unit = get_unit_for_user(actor, unit_code)
    if unit is None and address is not None:
        unit = address.grid
    if unit is None:
        raise FilingRefused("请选择诉求所在的网格或社区", field="unit", reason="place")
    return Filing(category=category, unit=unit, address=address, resident=resident, key_person=key_person)


@transaction.atomic
def request_file(
    *,
    actor: User | None,
    category: RequestCategory,
    channel: str,
    text: str,
    unit: Unit,
    urgency: str = "",
    resident: Resident | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    address: Address | None = None,
    place_text: str = "",
    key_person: KeyPerson | None = None,
    contact: Contact | None = None,
    attachments: Iterable[UploadedFile[bytes]] = (),
) -> Request:
    """File a request; the unit where it arose (grid, or community) holds it first.

    `actor=None` is a filing from outside (the public grid page, the Open311 endpoint): the caller's
    phone is then required.
    """
    if address is not None:
        unit = address.grid
    if unit.kind not in Unit.GEOGRAPHIC_KINDS or not unit.is_active:
        raise ServiceError("请选择诉求所在的网格或社区", field="unit")
    if actor is not None and not scope_for(actor).can(Capability.HANDLE_REQUESTS, unit.path):
        raise ServiceError("您没有在该单位登记诉求的权限", field="unit")
    if not category.is_active:
        raise ServiceError("该诉求类别已停用", field="category")
    if channel not in Channel.values:
        raise ServiceError("来源渠道无效", field="channel")
    urgency = urgency or category.default_urgency
    if urgency not in Urgency.values:
        raise ServiceError("紧急程度无效", field="urgency")
    text = _text(text, field="text", what="诉求内容", limit=TEXT_MAX)
    caller_name = _text(
        caller_name, field="caller_name", what="诉求人姓名", required=False, limit=CALLER_NAME_MAX
    )
    place_text = _text(place_text, field="place_text", what="地点说明", required=False, limit=PLACE_TEXT_MAX)
    phone = ""
    if len(caller_phone.strip()) > CALLER_PHONE_MAX:
        raise ServiceError(too_long(CALLER_PHONE_MAX, "诉求人电话"), field="caller_phone")
    if caller_phone.strip():
        try:
            phone = normalise_phone(caller_phone).display
        except PhoneError as exc:
            raise ServiceError(f"诉求人电话有误：{exc.message}", field="caller_phone") from None
    if resident is not None:
        if actor is not None and not scope_for(actor).covers(resident.unit_path):
            raise ServiceError("该居民不在您的辖区", field="resident")
    elif not phone:
        raise ServiceError("请填写诉求人电话，或选择登记在册的居民", field="caller_phone")
    now = timezone.now()
    request = Request.objects.create(
        category=category,
        channel=channel,
        urgency=urgency,
        text=text,
        resident=resident,
        caller_name=caller_name or (resident.name if resident is not None else ""),
        caller_phone=phone,
        address=address,
        place_text=place_text,
        unit=unit,
        unit_path=unit.path,
        holder=unit,
        holder_path=unit.path,
        held_since=now,
        deadline_at=_deadline(category, urgency, now),
        key_person=key_person,
        contact=contact,
        created_by=actor,
    )
    RequestHold.objects.create(request=request, unit=unit, from_unit=None, since=now)
    event = _event(
        request,
        RequestEvent.Kind.FILED,
        actor,
        unit=unit,
        note=text,
        data={"channel": channel, "urgency": urgency, "category": category.code},
        actor_name="" if actor is not None else f"{Channel(channel).label}",
    )
    _attach(event, attachments)
    audit_record(
        actor=actor, action="request.file", obj=request, unit_path=unit.path, detail={"channel": channel}
    )
    _notify_unit(unit, f"新诉求{request.number}（{category.name}）：请在时限内受理。", skip=actor)
    return request


def request_from_contact(*, actor: User, contact: Contact) -> Request:
    """The request a contact's "needs found" opens (the care issue's hand-over to the closed loop)."""
    key_person = contact.key_person
    resident = key_person.resident
    category = RequestCategory.objects.get(code="other")
    unit = Unit.objects.get(path=key_person.unit_path)
    return request_file(
        actor=actor,
        category=category,
        channel=Channel.CONTACT,
        text=contact.needs_found,
        unit=unit,
        urgency=Urgency.URGENT if contact.is_emergency else "",
        resident=resident,
        address=resident.address,
        key_person=key_person,
        contact=contact,
    )


def request_for_contact_needs(sender: Any, *, actor: User, contact: Any, **kwargs: Any) -> None:
    """Receiver of `linli.care.signals.contact_logged`: the needs a contact found become a request at
    once, held by the person's grid (S1), in the contact's transaction."""
    if contact.needs_found:
        request_from_contact(actor=actor, contact=contact)


@transaction.atomic
def request_accept(*, actor: User, request: Request, version: int) -> Request:
    """The actor takes the request on for the unit holding it (承办)."""
    request = _reload(request, version)
    _require_act(actor, request)
    if request.handler_id == actor.pk:
        raise ServiceError("您已受理该诉求", field="handler")
    _transition(request, Request.State.OPEN, handler=actor)
    _event(request, RequestEvent.Kind.ACCEPTED, actor, unit=request.holder)
    return request


@transaction.atomic
def request_note(
    *, actor: User, request: Request, note: str, attachments: Iterable[UploadedFile[bytes]] = ()
) -> RequestEvent:
    """Add a note (and photos) to the timeline: whoever handles requests where it arose or holds it."""
    request = _reload(request, None)
    if request.state == Request.State.CLOSED:
        raise ServiceError("该诉求已办结，不能再补充说明", field="note")
    if not may_note(actor, request):
        raise ReadOnlyAccess
    note = _text(note, field="note", what="说明", limit=NOTE_MAX)
    event = _event(request, RequestEvent.Kind.NOTE, actor, unit=request.holder, note=note)
    _attach(event, attachments)
    return event


@transaction.atomic
def request_escalate(*, actor: User, request: Request, version: int, reason: str) -> Request:
    """Pass the request one level up the ladder, with the reason the holder cannot solve it."""
    request = _reload(request, version)
    _require_act(actor, request)
    reason = _text(reason, field="reason", what="上报原因", limit=NOTE_MAX)
    to = ladder.next_holder(holder=request.holder, unit_path=request.unit_path)
    if to is None:
        raise ServiceError("已到区级，无法再上报；请移交主管部门办理", field="reason")
    came_from = request.holder
    now = timezone.now()
    _transition(
        request, Request.State.OPEN, escalations=request.escalations + 1, **_moved_to(request, to, now)
    )
    _hold(request, to, came_from=came_from, now=now)
    _event(request, RequestEvent.Kind.ESCALATED, actor, unit=came_from, to_unit=to, note=reason)
    _notify_unit(to, f"诉求{request.number}（{request.category.name}）由{came_from.name}上报，请及时办理。")
    return request


@transaction.atomic
def request_return(*, actor: User, request: Request, version: int, instructions: str) -> Request:
    """Send the request back to the unit that escalated it, with instructions."""
    request = _reload(request, version)
    _require_act(actor, request)
    instructions = _text(instructions, field="instructions", what="退回意见", limit=NOTE_MAX)
    hold = RequestHold.objects.filter(request=request, until__isnull=True).select_related("from_unit").first()
    if hold is None or hold.from_unit is None:
        raise ServiceError("该诉求由本单位登记，没有可退回的下级", field="instructions")
    to, here = hold.from_unit, request.holder
    now = timezone.now()
    earlier = RequestHold.objects.filter(request=request, unit=to).order_by("-since").first()
    _transition(request, Request.State.OPEN, **_moved_to(request, to, now))
    _hold(request, to, came_from=earlier.from_unit if earlier else None, now=now)
    _event(request, RequestEvent.Kind.RETURNED, actor, unit=here, to_unit=to, note=instructions)
    _notify_unit(to, f"诉求{request.number}被{here.name}退回：{instructions[:60]}")
    return request


@transaction.atomic
def request_handoff(
    *, actor: User, request: Request, version: int, body: str = "", note: str = ""
) -> Request:
    """Record that the request was handed to an outside competent body (市场监管局、卫健委 …)."""
    request = _reload(request, version)
    _require_act(actor, request)
    body = _text(body or request.category.handoff_body, field="body", what="主管部门", limit=HANDOFF_BODY_MAX)
    note = _text(note, field="note", what="移交说明", required=False, limit=NOTE_MAX)
    _transition(request, Request.State.OPEN)
    _event(request, RequestEvent.Kind.HANDOFF, actor, unit=request.holder, note=note, data={"body": body})
    return request


@transaction.atomic
def request_handoff_response(*, actor: User, request: Request, version: int, response: str) -> Request:
    """Record the outside body's answer to a hand-off."""
    request = _reload(request, version)
    _require_act(actor, request)
    handoff = request.events.filter(kind=RequestEvent.Kind.HANDOFF).order_by("-id").first()
    if handoff is None:
        raise ServiceError("该诉求尚未移交主管部门", field="response")
    response = _text(response, field="response", what="主管部门答复", limit=NOTE_MAX)
    _transition(request, Request.State.OPEN)
    _event(
        request,
        RequestEvent.Kind.HANDOFF_RESPONSE,
        actor,
        unit=request.holder,
        note=response,
        data={"body": handoff.data.get("body", "")},
    )
    return request


@transaction.atomic
def request_solve(
    *,
    actor: User,
    request: Request,
    version: int,
    solution: str,
    attachments: Iterable[UploadedFile[bytes]] = (),
) -> Request:
    """The holder solved it (就地解决, or after escalation): what was done; then it waits for its rating."""
    request = _reload(request, version)
    _require_act(actor, request)
    solution = _text(solution, field="solution", what="办理结果", limit=SOLUTION_MAX)
    now = timezone.now()
    _transition(
        request,
        Request.State.OPEN,
        state=Request.State.SOLVED,
        solution=solution,
        solved_at=now,
        solved_by=actor,
        solved_on_time=now <= request.deadline_at,
        handler=request.handler or actor,
        rating_token=secrets.token_urlsafe(32),
    )
    RequestHold.objects.filter(request=request, until__isnull=True).update(until=now)
    event = _event(request, RequestEvent.Kind.SOLVED, actor, unit=request.holder, note=solution)
    _attach(event, attachments)
    if request.created_by is not None and request.created_by.pk != actor.pk:
        notify(
            recipient=request.created_by,
            text=f"您登记的诉求{request.number}已由{request.holder.name}解决，请回访群众满意度。",
            unit_path=request.unit_path,
        )
    return request


def _satisfaction(value: Any) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise ServiceError("请选择1到5分的满意度", field="satisfaction") from None
    if not 1 <= score <= 5:
        raise ServiceError("请选择1到5分的满意度", field="satisfaction")
    return score


@transaction.atomic
def request_close(
    *, actor: User, request: Request, version: int, satisfaction: Any, comment: str = "", method: str
) -> Request:
    """Close a solved request with the resident's satisfaction, asked by the member or by a call-back.

    A call-back (回访) must be made by someone other than whoever solved it.
    """
    request = _reload(request, version)
    if request.state != Request.State.SOLVED:
        raise ServiceError("只有已解决的诉求才能回访办结", field="state")
    if not can_close(actor, request):
        raise ReadOnlyAccess
    if method not in CLOSING_METHODS:
        raise ServiceError("请选择评价方式", field="method")
    if method == Request.FeedbackMethod.CALLBACK and request.solved_by_id == actor.pk:
        raise ServiceError("电话回访须由办理人以外的人员进行", field="method")
    score = _satisfaction(satisfaction)
    comment = _text(comment, field="comment", what="评价意见", required=False, limit=COMMENT_MAX)
    now = timezone.now()
    _transition(
        request,
        Request.State.SOLVED,
        state=Request.State.CLOSED,
        closed_at=now,
        satisfaction=score,
        satisfaction_comment=comment,
        feedback_method=method,
        rating_token=None,
    )
    _event(
        request,
        RequestEvent.Kind.CLOSED,
        actor,
        note=comment,
        data={"satisfaction": score, "method": method},
    )
    return request


def requests_escalate_overdue(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The deadline worker: escalate every open request past its deadline, one level, exactly once.

    Each row is claimed by the conditional update of `_transition`, so two workers (or a worker and a
    person) never escalate the same request twice. At the top of the ladder the district is told once.
    Returns how many requests were escalated or flagged.
    """
    now = now or timezone.now()
    due = list(
        Request.objects.filter(
            state=Request.State.OPEN, deadline_at__lt=now, overdue_notified_at__isnull=True
        )
        .order_by("deadline_at")
        .values_list("pk", "version")[:limit]
    )
    done = 0
    for pk, version in due:
        try:
            with transaction.atomic():
                _escalate_one(pk, version, now)
            done += 1
        except ChangedByOthers:
            continue
    return done


def _escalate_one(pk: int, version: int, now: datetime.datetime) -> None:
    request = Request.objects.select_related("holder", "category").get(pk=pk)
    if request.version != version or request.deadline_at >= now or request.state != Request.State.OPEN:
        raise ChangedByOthers
    here = request.holder
    to = ladder.next_holder(holder=here, unit_path=request.unit_path)
    if to is None:
        _transition(request, Request.State.OPEN, overdue_notified_at=now)
        _event(
            request,
            RequestEvent.Kind.OVERDUE,
            None,
            unit=here,
            note="已超过办理时限，请尽快办理或移交主管部门",
        )
        _notify_unit(here, f"诉求{request.number}已超过办理时限，请尽快办理。")
        return
    _transition(
        request, Request.State.OPEN, escalations=request.escalations + 1, **_moved_to(request, to, now)
    )
    _hold(request, to, came_from=here, now=now)
    _event(
        request,
        RequestEvent.Kind.AUTO_ESCALATED,
        None,
        unit=here,
        to_unit=to,
        note=f"{here.name}超过办理时限未办结，自动上报",
    )
    _notify_unit(to, f"诉求{request.number}在{here.name}超时未办结，已自动上报贵单位，请及时办理。")
    _notify_unit(here, f"诉求{request.number}超过办理时限，已自动上报{to.name}。")
