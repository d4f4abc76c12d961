"""Writing audit events. Services call `audit_record` inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.core.context import client_address


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    unit_path: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Never put ID or phone numbers in `detail`: say which row, not what it holds."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        unit_path=unit_path,
        reason=reason[:500],
        client_address=client_address.get(),
        detail=detail or {},
    )
