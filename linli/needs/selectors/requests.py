"""Permission-bearing reads of requests: who sees which, who may act on it, the queues of a unit.

- A geographic membership sees the requests arising in its subtree, wherever they are held now.
- A department sees exactly the requests that were escalated to it (a hold of its unit on the route),
  nothing else of its stations.
- Acting (accept, solve, escalate, send back) belongs to the unit holding the request: a membership on
  that very unit with the capability to handle requests; the district office may act on anything in
  its district.
- The political department sees solved requests only through the typical-case pages, without
  personal data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import ROLE_CAPABILITIES, Capability, Role, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.core import paths
from linli.needs.models import Request, RequestAttachment, RequestEvent, RequestHold
from linli.org.models import Unit


def requests_visible_to(*, user: User) -> QuerySet[Request]:
    scope = scope_for(user)
    condition = paths.any_subtree_q("unit_path", scope.full_roots)
    department_ids = [
        g.unit_id for g in scope.grants if g.unit_kind == Unit.Kind.DEPARTMENT and g.role == Role.DEPARTMENT
    ]
    if department_ids:
        condition |= Q(Exists(RequestHold.objects.filter(request=OuterRef("pk"), unit_id__in=department_ids)))
    if not scope.full_roots and not department_ids:
        return Request.objects.none()
    return Request.objects.filter(condition)


def get_request_for_user(user: User, request_id: int) -> Request:
    """One request; "absent" and "not yours" are the same 404."""
    found = (
        requests_visible_to(user=user)
        .select_related("category", "holder", "unit", "handler", "resident", "address", "solved_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def get_request_to_view(user: User, request_id: int) -> Request:
    """One request opened to be read (its page or its API answer): `get_request_for_user`, and the
    `request.view` audit event both ways write alike. Write paths use `get_request_for_user`."""
    found = get_request_for_user(user, request_id)
    audit_record(actor=user, action="request.view", obj=found, unit_path=found.unit_path)
    return found


def can_act(user: User, request: Request) -> bool:
    """Whether the user acts for the unit that holds the request."""
    if request.state != Request.State.OPEN:
        return False
    return _acts_for(user, request.holder_path)


def _acts_for(user: User, holder_path: str) -> bool:
    for grant in scope_for(user).grants:
        capabilities = ROLE_CAPABILITIES.get(grant.role, frozenset())
        if Capability.HANDLE_REQUESTS not in capabilities:
            continue
        if grant.path == holder_path:
            return True
        if grant.role == Role.DISTRICT_ADMIN and paths.is_within(holder_path, grant.path):
            return True
    return False


def can_close(user: User, request: Request) -> bool:
    """Closing (recording the resident's satisfaction) is for whoever handles requests where it arose."""
    if request.state != Request.State.SOLVED:
        return False
    return scope_for(user).can(Capability.HANDLE_REQUESTS, request.unit_path)


@dataclass(frozen=True)
class Allowed:
    """What a user may do on a request now, and where "上报" and "退回" would send it."""

    actions: frozenset[str]
    escalate_to: Unit | None = None
    returns_to: Unit | None = None


def allowed_actions(user: User, request: Request) -> Allowed:
    """The steps the services would let `user` take now (pages and API offer exactly these)."""
    from linli.needs.selectors.ladder import next_holder

    actions: set[str] = set()
    escalate_to = returns_to = None
    if can_act(user, request):
        if request.handler_id != getattr(user, "pk", None):
            actions.add("accept")
        escalate_to = next_holder(holder=request.holder, unit_path=request.unit_path)
        if escalate_to is not None:
            actions.add("escalate")
        hold = (
            RequestHold.objects.filter(request=request, until__isnull=True)
            .select_related("from_unit")
            .order_by("-since")
            .first()
        )
        returns_to = hold.from_unit if hold is not None else None
        if returns_to is not None:
            actions.add("return")
        actions.update({"handoff", "solve"})
        if request.events.filter(kind=RequestEvent.Kind.HANDOFF).exists():
            actions.add("handoff_response")
    if may_note(user, request):
        actions.add("note")
    if can_close(user, request):
        actions.add("close")
    return Allowed(frozenset(actions), escalate_to, returns_to)


def may_note(user: User, request: Request) -> bool:
    """Notes go on a request until it is closed, by its holder or whoever handles requests where it arose."""
    if request.state == Request.State.CLOSED:
        return False
    return can_act(user, request) or scope_for(user).can(Capability.HANDLE_REQUESTS, request.unit_path)


def can_file(user: User, unit: Unit) -> bool:
    return unit.kind in Unit.GEOGRAPHIC_KINDS and scope_for(user).can(Capability.HANDLE_REQUESTS, unit.path)


def handling_unit_paths(*, user: User) -> list[str]:
    """The units whose queues the user works: memberships that handle requests."""
    return sorted(
        {
            g.path
            for g in scope_for(user).grants
            if Capability.HANDLE_REQUESTS in ROLE_CAPABILITIES.get(g.role, frozenset())
        }
    )


QUEUES = {
    "new": "待受理",
    "mine": "我承办的",
    "overdue": "已超时",
    "escalated": "上报给我们的",
    "solved": "待回访",
    "all": "全部",
}


def request_queue(*, user: User, queue: str, now: datetime.datetime | None = None) -> QuerySet[Request]:
    """A queue of the units the user works (see QUEUES), most urgent deadline first."""
    now = now or timezone.now()
    held = Q(holder_path__in=handling_unit_paths(user=user))
    base = requests_visible_to(user=user).select_related("category", "holder", "unit", "handler")
    if queue == "new":
        queryset = base.filter(held, state=Request.State.OPEN, handler__isnull=True)
    elif queue == "mine":
        queryset = base.filter(state=Request.State.OPEN, handler=user)
    elif queue == "overdue":
        queryset = base.filter(held, state=Request.State.OPEN, deadline_at__lt=now)
    elif queue == "escalated":
        came_up = RequestHold.objects.filter(
            request=OuterRef("pk"), unit_id=OuterRef("holder_id"), until__isnull=True, from_unit__isnull=False
        )
        queryset = base.filter(held, Exists(came_up), state=Request.State.OPEN)
    elif queue == "solved":
        queryset = base.filter(state=Request.State.SOLVED)
        return queryset.order_by("solved_at", "id")
    elif queue == "all":
        return base.order_by("-created_at", "-id")
    else:
        raise Http404
    return queryset.order_by("deadline_at", "id")


def request_timeline(*, request: Request) -> QuerySet[RequestEvent]:
    return (
        RequestEvent.objects.filter(request=request)
        .select_related("actor", "unit", "to_unit")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def handlers_of(unit: Unit) -> list[User]:
    """The people who act for a unit on requests (to notify them)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.HANDLE_REQUESTS in caps]
    return list(
        User.objects.filter(
            memberships__unit=unit, memberships__is_active=True, memberships__role__in=roles, is_active=True
        ).distinct()
    )


# Where a user may file, and the attachments of a request.

FILING_KINDS = (Unit.Kind.COMMUNITY, Unit.Kind.GRID)


def _filing_roots(user: User) -> list[str]:
    return paths.collapse(
        g.path
        for g in scope_for(user).grants
        if g.unit_kind in Unit.GEOGRAPHIC_KINDS
        and Capability.HANDLE_REQUESTS in ROLE_CAPABILITIES.get(g.role, frozenset())
    )


def may_file_anywhere(user: User) -> bool:
    return bool(_filing_roots(user))


def fileable_units(*, user: User, limit: int) -> list[Unit] | None:
    """Communities and grids the user may file requests in, by path; None when there are more than
    `limit` (a district's thousands of grids make no usable list: the form asks for the code instead)."""
    roots = _filing_roots(user)
    if not roots:
        return []
    units = list(
        Unit.objects.filter(paths.any_subtree_q("path", roots), kind__in=FILING_KINDS, is_active=True)
        .select_related("parent")
        .order_by("path")[: limit + 1]
    )
    return None if len(units) > limit else units


def may_file_in(user: User, unit: Unit) -> bool:
    """Whether the filing page offers `unit`: an active community or grid where the user handles requests."""
    return unit.is_active and unit.kind in FILING_KINDS and can_file(user, unit)


def fileable_unit(*, user: User, code: str) -> Unit | None:
    """One unit by code where the user may file; None when absent or not theirs."""
    unit = Unit.objects.select_related("parent").filter(code=code, is_active=True).first()
    if unit is None or not may_file_in(user, unit):
        return None
    return unit


def attachment_of(request: Request, attachment_id: int) -> RequestAttachment:
    """An attachment of a request the caller has accessed; one of another request is "not found"."""
    found = RequestAttachment.objects.filter(pk=attachment_id, event__request=request).first()
    if found is None:
        raise Http404
    return found
