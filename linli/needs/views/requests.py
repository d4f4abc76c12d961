"""Pages of residents' requests for staff: the queues, filing, a request with its timeline and the
actions on it, and attachments."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.models import Capability, Role, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.audit.services.reads import audit_read
from linli.care.selectors.key_persons import get_key_person_for_user
from linli.care.selectors.units import care_units_of
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.core.qr import qr_svg
from linli.core.users import signed_in
from linli.needs.forms.requests import (
    AcceptForm,
    CloseForm,
    EscalateForm,
    HandoffForm,
    HandoffResponseForm,
    NoteForm,
    RequestFileForm,
    ReturnForm,
    SolveForm,
)
from linli.needs.models import Channel, Request, RequestEvent
from linli.needs.selectors.categories import active_categories
from linli.needs.selectors.requests import (
    QUEUES,
    allowed_actions,
    attachment_of,
    fileable_unit,
    fileable_units,
    get_request_for_user,
    get_request_to_view,
    handling_unit_paths,
    may_file_anywhere,
    may_file_in,
    request_queue,
    request_timeline,
)
from linli.needs.services.requests import (
    ChangedByOthers,
    filing_resolve,
    request_accept,
    request_close,
    request_escalate,
    request_file,
    request_handoff,
    request_handoff_response,
    request_note,
    request_return,
    request_solve,
)
from linli.needs.views.ratings import rating_url
from linli.org.selectors.units import ReadOnlyAccess

# A queue page stays light on a slow phone connection (the whole page under 100 KB).
ROWS_PER_PAGE = 30

# Above this many communities and grids the new-request form asks for a code instead of a list.
UNIT_CHOICES_MAX = 150


@dataclass(frozen=True)
class Deadline:
    text: str
    overdue: bool


def _amount(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, math.ceil(seconds / 60))} 分钟"
    return f"{int(seconds // 3600)} 小时"


def deadline_of(request: Request, now: datetime.datetime | None = None) -> Deadline | None:
    """ "超时 N 小时" or "剩余 N 小时" for an open request; None once it is solved."""
    if request.state != Request.State.OPEN:
        return None
    left = (request.deadline_at - (now or timezone.now())).total_seconds()
    if left < 0:
        return Deadline(f"超时 {_amount(-left)}", True)
    if left >= 3600:
        # A fresh 72-hour request reads "剩余 72 小时", not 71.
        return Deadline(f"剩余 {math.ceil(left / 3600)} 小时", False)
    return Deadline(f"剩余 {_amount(left)}", False)


@dataclass(frozen=True)
class QueueRow:
    request: Request
    deadline: Deadline | None


@login_required
@never_cache
@require_GET
def request_queue_page(request: HttpRequest) -> HttpResponse:
    """The queues of the units the user works: 待受理, 我承办的, 已超时, 上报给我们的, 待回访, 全部."""
    user = signed_in(request.user)
    handling = bool(handling_unit_paths(user=user))
    queue = request.GET.get("queue") or ("new" if handling else "all")
    if queue not in QUEUES:
        raise Http404
    now = timezone.now()
    queryset = request_queue(user=user, queue=queue, now=now).select_related("unit__parent")
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    audit_read(user=user, action="request.list", detail={"queue": queue, "page": page.number})
    counts = (
        {key: request_queue(user=user, queue=key, now=now).count() for key in QUEUES if key != "all"}
        if handling
        else {}
    )
    scope = scope_for(user)
    return render(
        request,
        "needs/queue.html",
        {
            "queue": queue,
            "tabs": [(key, label, counts.get(key)) for key, label in QUEUES.items()],
            "page": page,
            "rows": [QueueRow(r, deadline_of(r, now)) for r in page],
            "query": QueryDict(f"queue={queue}"),
            "can_file": may_file_anywhere(user),
            "can_mark_typical": scope.can_anywhere(Capability.MARK_TYPICAL),
            "can_configure": scope.has_role(Role.DISTRICT_ADMIN),
            "rate_units": care_units_of(user=user)[:3],
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """File a request: from scratch, for a unit (?unit=<code>), or for a key person (?key_person=<id>)."""
    user = signed_in(request.user)
    if not may_file_anywhere(user):
        raise ReadOnlyAccess
    key_person_id = request.GET.get("key_person") or request.POST.get("key_person") or ""
    key_person = None
    if key_person_id:
        if not key_person_id.isdigit():
            raise Http404
        key_person = get_key_person_for_user(user, int(key_person_id))
    units = fileable_units(user=user, limit=UNIT_CHOICES_MAX)
    initial: dict[str, Any] = {"channel": Channel.VISIT}
    preset = fileable_unit(user=user, code=request.GET.get("unit", "")) if request.GET.get("unit") else None
    if preset is not None:
        initial["unit"] = preset.code
    elif units is not None and len(units) == 1:
        initial["unit"] = units[0].code
    form = RequestFileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        categories=active_categories(),
        units=units,
        resident_name=key_person.resident.name if key_person is not None else "",
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = filing_resolve(
                actor=user,
                category_id=data["category"],
                key_person=key_person,
                unit_code="" if key_person is not None else data["unit"],
            )
            if key_person is None and not may_file_in(user, filing.unit):
                raise Http404
        except Http404:
            form.add_error("unit", "请选择您辖区内的网格或社区")
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            try:
                filed = request_file(
                    actor=user,
                    channel=data["channel"],
                    urgency=data["urgency"],
                    text=data["text"],
                    caller_name=data.get("caller_name", ""),
                    caller_phone=data.get("caller_phone", ""),
                    place_text=data["place_text"],
                    attachments=data["attachments"],
                    **filing.refs(),
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已登记诉求{filed.number}，请在时限内办理")
                return redirect("request-detail", request_id=filed.pk)
    return render(
        request,
        "needs/request_new.html",
        {"form": form, "key_person": key_person, "preset": preset},
        status=400 if request.method == "POST" else 200,
    )


@dataclass(frozen=True)
class Bubble:
    """One step of the timeline as a chat bubble: the user's own on the right, the system's centred."""

    event: RequestEvent
    side: str
    body: str


def _bubbles(events: list[RequestEvent], user: User) -> list[Bubble]:
    result = []
    for event in events:
        if event.actor_id is None and event.kind in (
            RequestEvent.Kind.AUTO_ESCALATED,
            RequestEvent.Kind.OVERDUE,
        ):
            side = "system"
        elif event.actor_id is not None and event.actor_id == user.pk:
            side = "mine"
        else:
            side = "theirs"
        # The request's text is shown once, at the top of the page, not again in the first bubble.
        body = "" if event.kind == RequestEvent.Kind.FILED else event.note
        result.append(Bubble(event, side, body))
    return result


_CHANNEL_LABELS = dict(Channel.choices)

_FEEDBACK_LABELS = dict(Request.FeedbackMethod.choices)


def _event_detail(event: RequestEvent) -> str:
    data = event.data or {}
    if event.kind == RequestEvent.Kind.FILED:
        return str(_CHANNEL_LABELS.get(data.get("channel", ""), ""))
    if event.kind in (RequestEvent.Kind.HANDOFF, RequestEvent.Kind.HANDOFF_RESPONSE):
        return str(data.get("body", ""))
    if event.kind == RequestEvent.Kind.CLOSED and data.get("satisfaction"):
        method = _FEEDBACK_LABELS.get(data.get("method", ""), "")
        return f"满意度 {data['satisfaction']} 分 · {method}"
    return ""


def _blank(action: str, **kwargs: Any) -> forms.Form:
    """An action's empty form; each has its own element ids (several forms share field names)."""
    return ACTIONS[action][0](auto_id=f"{action}_%s", **kwargs)


def _detail_context(
    request: HttpRequest,
    found: Request,
    *,
    failed: tuple[str, forms.Form] | None = None,
    conflict: str = "",
) -> dict[str, Any]:
    user = signed_in(request.user)
    scope = scope_for(user)
    events = list(request_timeline(request=found))
    allowed = allowed_actions(user, found)
    blanks: dict[str, dict[str, Any]] = {
        "handoff": {"initial": {"body": found.category.handoff_body}},
        "close": {"initial": {"method": Request.FeedbackMethod.MEMBER}},
    }
    order = ("accept", "escalate", "return", "handoff", "handoff_response", "solve", "note", "close")
    action_forms: dict[str, forms.Form] = {
        name: _blank(name, **blanks.get(name, {})) for name in order if name in allowed.actions
    }
    escalate_to, returns_back_to = allowed.escalate_to, allowed.returns_to
    closing = "close" in allowed.actions
    stray_errors: list[str] = []
    if failed is not None and failed[0] in action_forms:
        action_forms[failed[0]] = failed[1]
    elif failed is not None:
        # The action is no longer offered (the request moved on): its errors go to the top of the page.
        stray_errors = [str(m) for name, ms in failed[1].errors.items() if name != "version" for m in ms]
    rating: dict[str, str] = {}
    if (
        found.state == Request.State.SOLVED
        and found.rating_token
        and (closing or found.solved_by_id == user.pk)
    ):
        url = rating_url(found, base_url=request.build_absolute_uri("/"))
        rating = {"url": url, "qr": mark_safe(qr_svg(url, scalable=True))}  # noqa: S308  (segno's own SVG)
    return {
        "req": found,
        "deadline": deadline_of(found),
        # A registered resident's own number when the request carries none (filed from a key person).
        "caller_phone": mask_phone(found.caller_phone or (found.resident.phone if found.resident else "")),
        "unit_label": found.unit.place_name,
        "holder_label": found.holder.place_name,
        "place": str(found.address) if found.address_id else found.place_text,
        "extra_place": found.place_text if found.address_id else "",
        "bubbles": [(b, _event_detail(b.event)) for b in _bubbles(events, user)],
        "forms": action_forms,
        "open_action": failed[0] if failed is not None else "",
        "escalate_to": escalate_to.place_name if escalate_to is not None else "",
        "returns_to": returns_back_to.place_name if returns_back_to is not None else "",
        "rating": rating,
        "conflict": conflict,
        "stray_errors": stray_errors,
        "show_key_person": bool(found.key_person_id) and scope.covers(found.unit_path),
        "read_only": not action_forms,
    }


@login_required
@never_cache
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in(request.user)
    found = get_request_to_view(user, request_id)
    return render(request, "needs/request_detail.html", _detail_context(request, found))


Perform = Callable[[User, Request, dict[str, Any]], object]


def _accept(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_accept(actor=user, request=found, version=data["version"])


def _note(user: User, found: Request, data: dict[str, Any]) -> RequestEvent:
    return request_note(actor=user, request=found, note=data["note"], attachments=data["attachments"])


def _escalate(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_escalate(actor=user, request=found, version=data["version"], reason=data["reason"])


def _return(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_return(
        actor=user, request=found, version=data["version"], instructions=data["instructions"]
    )


def _handoff(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_handoff(
        actor=user, request=found, version=data["version"], body=data["body"], note=data["note"]
    )


def _handoff_response(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_handoff_response(
        actor=user, request=found, version=data["version"], response=data["response"]
    )


def _solve(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_solve(
        actor=user,
        request=found,
        version=data["version"],
        solution=data["solution"],
        attachments=data["attachments"],
    )


def _close(user: User, found: Request, data: dict[str, Any]) -> Request:
    return request_close(
        actor=user,
        request=found,
        version=data["version"],
        satisfaction=data["satisfaction"],
        comment=data["comment"],
        method=data["method"],
    )


# action in the URL → (form, service call, what the person is told afterwards)
ACTIONS: dict[str, tuple[type[forms.Form], Perform, str]] = {
    "accept": (AcceptForm, _accept, "已受理，该诉求由您承办"),
    "note": (NoteForm, _note, "已补充说明"),
    "escalate": (EscalateForm, _escalate, "已上报上级办理"),
    "return": (ReturnForm, _return, "已退回下级办理"),
    "handoff": (HandoffForm, _handoff, "已记录移交主管部门"),
    "handoff_response": (HandoffResponseForm, _handoff_response, "已录入主管部门答复"),
    "solve": (SolveForm, _solve, "已解决，请回访群众满意度"),
    "close": (CloseForm, _close, "已回访办结"),
}


@login_required
@never_cache
@require_POST
def request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    """One action on a request; a stale page gets the conflict message and the request as it is now."""
    user = signed_in(request.user)
    if action not in ACTIONS:
        raise Http404
    found = get_request_for_user(user, request_id)
    if not scope_for(user).can_anywhere(Capability.HANDLE_REQUESTS):
        raise ReadOnlyAccess
    form_class, perform, done = ACTIONS[action]
    form = form_class(request.POST, request.FILES, auto_id=f"{action}_%s")
    conflict = ""
    status = 400
    if form.is_valid():
        try:
            perform(user, found, form.cleaned_data)
        except ChangedByOthers as exc:
            conflict, status = exc.message, 409
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, done)
            return redirect("request-detail", request_id=found.pk)
    elif "version" in form.errors:
        conflict, status = str(form.errors["version"][0]), 409
    fresh = get_request_for_user(user, request_id)
    context = _detail_context(request, fresh, failed=(action, form), conflict=conflict)
    return render(request, "needs/request_detail.html", context, status=status)


@login_required
@never_cache
@require_GET
def request_attachment(request: HttpRequest, request_id: int, attachment_id: int) -> HttpResponseBase:
    """A photo or PDF of a request, only to those who see the request (never from MEDIA_URL)."""
    user = signed_in(request.user)
    found = get_request_for_user(user, request_id)
    attachment = attachment_of(found, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        actor=user,
        action="request.attachment",
        obj=found,
        unit_path=found.unit_path,
        detail={"attachment": attachment.pk},
    )
    is_image = attachment.content_type.startswith("image/")
    response = FileResponse(
        handle, content_type=attachment.content_type, as_attachment=not is_image, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even a file that slipped past the checks cannot run anything in the page's origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
