"""Permission-bearing reads of the key-person ledger: who is visible, who is due, who has no member."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from linli.accounts.selectors import scope_for
from linli.care.models import KeyPerson, RiskLevel
from linli.core import paths
from linli.org.models import Unit

_RISK_ORDER = Case(
    When(risk_level=RiskLevel.HIGH, then=Value(0)),
    When(risk_level=RiskLevel.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def key_persons_visible_to(*, user: Any) -> QuerySet[KeyPerson]:
    """Key persons in the user's geographic subtrees (departments see none)."""
    scope = scope_for(user)
    return KeyPerson.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots), is_active=True)


def get_key_person_for_user(user: Any, key_person_id: int) -> KeyPerson:
    """One key person; "absent" and "not yours" are the same 404."""
    key_person = (
        KeyPerson.objects.select_related("resident", "responsible", "backup").filter(pk=key_person_id).first()
    )
    if key_person is None:
        raise Http404
    if not scope_for(user).covers(key_person.unit_path):
        raise Http404
    return key_person


def contacts_due(
    *, user: Any, on: datetime.date, unit: Unit | None = None, mine: bool = False
) -> QuerySet[KeyPerson]:
    """Who must be contacted by `on` (today's and overdue), emergencies first, then most overdue, then risk.

    `unit` narrows to a grid, community or station the caller has accessed; `mine` to the user's own
    people (as responsible member or backup).
    """
    # An open emergency is on the list whatever the due date: the contact that found it moved the date on.
    queryset = key_persons_visible_to(user=user).filter(
        Q(next_contact_due__lte=on) | Q(emergency_at__isnull=False)
    )
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    if mine:
        queryset = queryset.filter(responsible=user) | queryset.filter(backup=user)
    return queryset.select_related("resident", "responsible").order_by(
        F("emergency_at").desc(nulls_last=True), "next_contact_due", _RISK_ORDER, "id"
    )


def key_persons_without_member(*, user: Any, unit: Unit | None = None) -> QuerySet[KeyPerson]:
    """Key persons nobody is responsible for (after a member left without handing over)."""
    queryset = key_persons_visible_to(user=user).filter(responsible__isnull=True)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    return queryset.select_related("resident").order_by(_RISK_ORDER, "unit_path", "id")
