"""Who may read which audit events."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.audit.models import AuditEvent
from linli.core import paths


def audit_events_visible_to(*, user: Any) -> QuerySet[AuditEvent]:
    """Events under the subtrees where the user holds a role that may read the audit log."""
    scope = scope_for(user)
    roots = [g.path for g in scope.grants if scope.can(Capability.VIEW_AUDIT, g.path)]
    if not roots:
        return AuditEvent.objects.none()
    condition: Q = paths.any_subtree_q("unit_path", roots)
    return AuditEvent.objects.filter(condition).order_by("-at", "-id")
