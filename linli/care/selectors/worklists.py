"""Worklists: who is due, who has no member, the counts and rows the lists show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet

from linli.care.models import KeyPerson
from linli.care.selectors.key_persons import (
    HEALTH_WITHHELD,
    age_on,
    key_persons_visible_to,
    visible_categories,
)
from linli.core import paths
from linli.core.masking import mask_phone
from linli.org.models import Unit

if TYPE_CHECKING:
    from linli.accounts.models import User


def contacts_due(
    *, user: User, on: datetime.date, unit: Unit | None = None, mine: bool = False
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
    # prefetch, not select_related: the database stops at the first page of the partial index
    # (key_person_due) instead of joining every due person of a district before the LIMIT; the page's
    # residents and members are then two lookups by primary key.
    return queryset.prefetch_related("resident", "responsible").order_by(
        F("emergency_at").desc(nulls_last=True), "next_contact_due", "risk_rank", "id"
    )


def key_persons_without_member(*, user: User, unit: Unit | None = None) -> QuerySet[KeyPerson]:
    """Key persons nobody is responsible for (after a member left without handing over)."""
    queryset = key_persons_visible_to(user=user).filter(responsible__isnull=True)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    return queryset.select_related("resident").order_by("risk_rank", "unit_path", "id")


@dataclass(frozen=True)
class DueCounts:
    total: int
    overdue: int
    due_today: int
    emergencies: int


def due_counts(*, user: User, on: datetime.date, unit: Unit | None = None, mine: bool = False) -> DueCounts:
    """How many key persons there are, how many are overdue or due on `on`, how many have an emergency."""
    queryset = key_persons_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    if mine:
        queryset = queryset.filter(Q(responsible=user) | Q(backup=user))
    counts = queryset.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(next_contact_due__lt=on)),
        due_today=Count("id", filter=Q(next_contact_due=on)),
        emergencies=Count("id", filter=Q(emergency_at__isnull=False)),
    )
    return DueCounts(**counts)


@dataclass(frozen=True)
class KeyPersonRow:
    """What a worklist shows of a key person: the resident's phone masked."""

    id: int
    name: str
    age: int | None
    categories: list[str]
    risk_level: str
    risk_label: str
    phone: str
    next_contact_due: datetime.date
    # Days past the due date on `on` (0: due that day; negative: not yet due).
    days_overdue: int
    emergency: bool
    responsible: str


def key_person_row(key_person: KeyPerson, *, on: datetime.date, health: bool) -> KeyPersonRow:
    """One row; the caller prefetched `categories` and selected `resident` and `responsible`.

    Without `health` (the reader lacks VIEW_HEALTH there) the health categories are left out."""
    resident = key_person.resident
    categories = [
        c.get_category_display() for c in visible_categories(key_person.categories.all(), health=health)
    ]
    return KeyPersonRow(
        id=key_person.pk,
        name=resident.name,
        age=age_on(resident.birth_date, on),
        categories=categories if health else [*categories, HEALTH_WITHHELD],
        risk_level=key_person.risk_level,
        risk_label=key_person.get_risk_level_display(),
        phone=mask_phone(resident.phone),
        next_contact_due=key_person.next_contact_due,
        days_overdue=(on - key_person.next_contact_due).days,
        emergency=key_person.emergency_at is not None,
        responsible=str(key_person.responsible) if key_person.responsible_id else "",
    )
