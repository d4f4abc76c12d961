"""Logging a contact with a key person: it moves the due date on and opens what it found."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.care.models import Contact, KeyPerson
from linli.care.signals import contact_logged
from linli.core.errors import ServiceError
from linli.core.limits import limited_text

# A contact may be logged a little ahead of the server's clock (phones drift), never days ahead.
_CLOCK_SKEW = datetime.timedelta(minutes=10)

# How far back a contact may be logged: a grid worker catching up after a weekend without coverage.
MAX_BACKDATE = datetime.timedelta(days=14)


@transaction.atomic
def contact_log(
    *,
    actor: User,
    key_person: KeyPerson,
    occurred_at: datetime.datetime,
    kind: str,
    reached: bool = True,
    outcome: str = "",
    needs_found: str = "",
    hazards_found: str = "",
    is_emergency: bool = False,
    companions: str = "",
) -> Contact:
    """Record a contact. A reached contact moves `next_contact_due` to its local date plus the cadence;
    a contact that reached nobody does not. An emergency puts the person at the top of the lists.
    Needs found open a request (urgent when the contact found an emergency); hazards found open a
    hazard on the register. Notes are stripped, and refused beyond their fields' limits."""
    require_capability(actor, Capability.LOG_CONTACTS, key_person.unit_path)
    if kind not in Contact.Kind.values:
        raise ServiceError("联系方式无效", field="kind")
    outcome = limited_text(outcome, Contact, "outcome")
    needs_found = limited_text(needs_found, Contact, "needs_found")
    hazards_found = limited_text(hazards_found, Contact, "hazards_found")
    companions = limited_text(companions, Contact, "companions")
    if timezone.is_naive(occurred_at):
        raise ServiceError("联系时间缺少时区", field="occurred_at")
    now = timezone.now()
    if occurred_at > now + _CLOCK_SKEW:
        raise ServiceError("联系时间不能晚于现在", field="occurred_at")
    if occurred_at < now - MAX_BACKDATE:
        raise ServiceError("只能补登两周以内的联系", field="occurred_at")
    locked = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    if not locked.is_active:
        raise ServiceError("该人员已不在重点人员台账中", field="key_person")
    contact = Contact.objects.create(
        key_person=locked,
        occurred_at=occurred_at,
        kind=kind,
        recorded_by=actor,
        reached=reached,
        outcome=outcome,
        needs_found=needs_found,
        hazards_found=hazards_found,
        is_emergency=is_emergency,
        companions=companions,
    )
    fields = []
    if reached:
        # A contact logged late (back-dated behind a later one) never moves the due date backwards.
        due = timezone.localdate(occurred_at) + datetime.timedelta(days=locked.cadence_days)
        if due > locked.next_contact_due:
            locked.next_contact_due = due
            fields.append("next_contact_due")
        if locked.last_contact_at is None or occurred_at > locked.last_contact_at:
            locked.last_contact_at = occurred_at
            fields.append("last_contact_at")
    if is_emergency:
        locked.emergency_at = now
        fields.append("emergency_at")
    elif reached and locked.emergency_at is not None and occurred_at > locked.emergency_at:
        # A later contact that found no emergency settles the earlier one.
        locked.emergency_at = None
        fields.append("emergency_at")
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action="contact.log",
        obj=contact,
        unit_path=locked.unit_path,
        detail={"kind": kind, "reached": reached, "emergency": is_emergency},
    )
    for name in ("next_contact_due", "last_contact_at", "emergency_at"):
        setattr(key_person, name, getattr(locked, name))
    # Needs found enter the closed loop of requests (S1), hazards found the hazard register (P2): the
    # receivers in needs and safety write them in this transaction (linli.care.signals).
    contact_logged.send(sender=Contact, actor=actor, contact=contact)
    return contact
