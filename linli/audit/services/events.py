"""Writing audit events. Services call `audit_record` inside their own transaction.

Every event is chained to the one before (linli.audit.selectors.chain): writers are serialised, on
SQLite by the write lock every transaction takes (BEGIN IMMEDIATE), on PostgreSQL by a transaction-level
advisory lock taken here and held until the caller's transaction ends, so the chain is one line in id
order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.audit.selectors.chain import GENESIS, event_hash, fields_of
from linli.core.context import client_address

if TYPE_CHECKING:
    from linli.accounts.models import User

# pg_advisory_xact_lock key for the audit chain (any constant no other code uses: "linliaud").
CHAIN_LOCK = 0x6C696E6C69617564

# Events about accounts: who signed in, failed to, got a token, was created or changed. They concern a
# person rather than a unit, so the rule below gives them the district(s) of that person.
ACCOUNT_ACTION_PREFIXES = ("auth.", "account.", "user.", "api_token.", "membership.", "password.", "otp.")


def _districts_of(user: User) -> list[str]:
    from linli.accounts.models import Membership

    unit_paths = (
        Membership.objects.filter(user=user)
        .order_by("-is_active", "created_at", "id")
        .values_list("unit__path", flat=True)
    )
    districts: list[str] = []
    for path in unit_paths:
        district = path.split(".")[0]
        if district not in districts:
            districts.append(district)
    return districts


def _deployment_districts() -> list[str]:
    from linli.org.models import Unit

    return list(Unit.objects.filter(parent__isnull=True).order_by("path").values_list("path", flat=True))


def account_unit_paths(*, actor: User | None, obj: models.Model | None, detail: dict[str, Any]) -> list[str]:
    """The districts whose auditors see an account event: those of the account it is about (the
    object if it is a user or belongs to one, else the actor, else the username tried); for an account
    without roles those of the actor; for an unknown username every district of the deployment."""
    from linli.accounts.models import User

    subject: User | None = None
    if isinstance(obj, User):
        subject = obj
    elif obj is not None and isinstance(getattr(obj, "user", None), User):
        subject = obj.user  # type: ignore[attr-defined]
    elif actor is not None and actor.is_authenticated:
        subject = actor
    elif detail.get("username"):
        subject = User.objects.filter(username__iexact=str(detail["username"])).first()
    districts = _districts_of(subject) if subject is not None else []
    if not districts and actor is not None and actor.is_authenticated:
        districts = _districts_of(actor)  # e.g. an account created before it has any role
    return districts or _deployment_districts()


def _write(fields: dict[str, Any]) -> AuditEvent:
    # No savepoint: a failed audit write must fail the caller's transaction, never be skipped.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        event = AuditEvent(**fields, prev_hash=prev_hash)
        event.hash = event_hash(fields_of(event), prev_hash)
        event.save(force_insert=True)
        return event


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    unit_path: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Never put ID or phone numbers in `detail`: say which row, not what it holds.

    An account event without a unit (see ACCOUNT_ACTION_PREFIXES) is written once for each district
    of the account it concerns; the first is returned."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    detail = detail or {}
    user = actor if actor is not None and actor.is_authenticated else None
    unit_paths = [unit_path]
    if not unit_path and action.startswith(ACCOUNT_ACTION_PREFIXES):
        unit_paths = account_unit_paths(actor=actor, obj=obj, detail=detail) or [""]
    events = [
        _write(
            {
                "at": timezone.now(),
                "actor": user,
                "actor_username": user.get_username() if user is not None else "",
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "unit_path": path,
                "reason": reason[:500],
                "client_address": client_address.get(),
                "detail": detail,
            }
        )
        for path in unit_paths
    ]
    return events[0]
