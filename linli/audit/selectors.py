"""Who may read which audit events."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.audit.models import AuditEvent
from linli.core import paths


def audit_roots(*, user: Any) -> list[str]:
    """The unit paths under which the user may read the audit log."""
    scope = scope_for(user)
    return [g.path for g in scope.grants if scope.can(Capability.VIEW_AUDIT, g.path)]


def audit_events_visible_to(*, user: Any) -> QuerySet[AuditEvent]:
    """Events under the subtrees where the user holds a role that may read the audit log."""
    roots = audit_roots(user=user)
    if not roots:
        return AuditEvent.objects.none()
    condition: Q = paths.any_subtree_q("unit_path", roots)
    return AuditEvent.objects.filter(condition).order_by("-at", "-id")


def audit_events_for(
    *, user: Any, unit_path: str = "", start: date | None = None, end: date | None = None
) -> QuerySet[AuditEvent]:
    """The user's visible events, narrowed to a unit's subtree and to the days start..end (inclusive,
    local time). A unit outside the user's audit scope narrows to nothing."""
    events = audit_events_visible_to(user=user)
    if unit_path:
        events = events.filter(paths.subtree_q("unit_path", unit_path))
    if start is not None:
        events = events.filter(at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end is not None:
        events = events.filter(
            at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
        )
    return events
