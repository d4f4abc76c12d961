"""Permission-bearing reads of the key-person ledger: who is visible, who is due, who has no member."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from linli.accounts.models import Membership, User
from linli.accounts.roles import ROLE_CAPABILITIES, Capability
from linli.accounts.selectors import scope_for
from linli.audit.services import audit_record
from linli.care.models import Category, Contact, Guardian, KeyPerson, KeyPersonCategory
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.org.access import ReadOnlyAccess
from linli.org.models import Unit

# Categories that tell something about a person's health: sensitive personal information (PIPL Art. 28),
# shown only to roles with VIEW_HEALTH. The others (独居、空巢、困境/留守儿童、低保、特困) are social facts.
HEALTH_CATEGORIES: frozenset[str] = frozenset(
    {
        Category.DISABLED,
        Category.PREGNANT,
        Category.CRITICALLY_ILL,
        Category.SERIOUSLY_ILL,
        Category.DEPENDENT,
        Category.HOME_TREATMENT,
        Category.DEMENTIA_WANDERING,
    }
)
# What a role without VIEW_HEALTH reads where health details would be; shown to such roles for every key
# person, with or without health categories, so that its presence says nothing.
HEALTH_WITHHELD = "健康信息仅照护人员可见"


def can_view_health(user: Any, unit_path: str) -> bool:
    """Whether `user` may see the health details of a key person of `unit_path`."""
    return scope_for(user).can(Capability.VIEW_HEALTH, unit_path)


def visible_categories(categories: Any, *, health: bool) -> list[KeyPersonCategory]:
    """A key person's categories as the reader may see them: without the health ones unless `health`."""
    return [c for c in categories if health or c.category not in HEALTH_CATEGORIES]


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


def get_key_person_detail_for_user(user: Any, key_person_id: int) -> KeyPerson:
    """A key person's detail (categories, guardians, contact history): the read is audited."""
    from linli.audit.services import audit_record

    key_person = get_key_person_for_user(user, key_person_id)
    audit_record(actor=user, action="key_person.view", obj=key_person, unit_path=key_person.unit_path)
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
    # prefetch, not select_related: the database stops at the first page of the partial index
    # (key_person_due) instead of joining every due person of a district before the LIMIT; the page's
    # residents and members are then two lookups by primary key.
    return queryset.prefetch_related("resident", "responsible").order_by(
        F("emergency_at").desc(nulls_last=True), "next_contact_due", "risk_rank", "id"
    )


def key_persons_without_member(*, user: Any, unit: Unit | None = None) -> QuerySet[KeyPerson]:
    """Key persons nobody is responsible for (after a member left without handing over)."""
    queryset = key_persons_visible_to(user=user).filter(responsible__isnull=True)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    return queryset.select_related("resident").order_by("risk_rank", "unit_path", "id")


# Pages and API of the ledger: units, rows as lists show them, histories, counts.


def get_unit_for_care(user: Any, code: str) -> Unit:
    """A district, station, community or grid whose key persons the user may read; else 404.

    Departments see the structure of their liaison stations, not the people in them: 404 too.
    """
    unit = Unit.objects.select_related("scheme", "parent").filter(code=code).first()
    if unit is None:
        raise Http404
    if not unit.is_active:
        raise Http404
    if unit.kind == Unit.Kind.DEPARTMENT:
        raise Http404
    if not scope_for(user).covers(unit.path):
        raise Http404
    return unit


def get_key_person_for_contact(user: Any, key_person_id: int) -> KeyPerson:
    """A key person the user may log a contact for: 404 outside scope, 403 where the user only reads."""
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.LOG_CONTACTS, key_person.unit_path):
        raise ReadOnlyAccess
    return key_person


def key_persons_in(*, user: Any, unit: Unit | None = None) -> QuerySet[KeyPerson]:
    """Key persons on the ledger in scope, or under a unit the caller has accessed, by grid."""
    queryset = key_persons_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    return queryset.select_related("resident", "responsible").order_by("unit_path", "id")


def key_person_contacts(*, key_person: KeyPerson) -> QuerySet[Contact]:
    """The contact history of a key person the caller has accessed, newest first."""
    return (
        Contact.objects.filter(key_person=key_person)
        .select_related("recorded_by")
        # The requests a contact's needs opened, linked from the history.
        .prefetch_related("requests")
        .order_by("-occurred_at", "-id")
    )


@dataclass(frozen=True)
class DueCounts:
    total: int
    overdue: int
    due_today: int
    emergencies: int


def due_counts(*, user: Any, on: datetime.date, unit: Unit | None = None, mine: bool = False) -> DueCounts:
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


def age_on(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


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


def care_units_of(*, user: Any) -> QuerySet[Unit]:
    """The units at the top of the user's geographic scope: where their care pages start."""
    roots = scope_for(user).full_roots
    return Unit.objects.filter(path__in=roots, is_active=True).select_related("scheme").order_by("path")


def grid_of(*, key_person: KeyPerson) -> Unit | None:
    """The grid of a key person the caller has accessed (for its name and its worklist link)."""
    return Unit.objects.filter(path=key_person.unit_path).first()


def members_for(path: str) -> QuerySet[User]:
    """People who may be paired with someone living at `path`: roles that log contacts there."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.LOG_CONTACTS in caps]
    ancestors = [*paths.ancestors(path), path]
    user_ids = Membership.objects.filter(
        is_active=True, role__in=roles, unit__path__in=ancestors, user__is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=user_ids).order_by("display_name", "username")


def guardian_reveal(*, user: Any, key_person_id: int, reason: str) -> tuple[KeyPerson, list[Guardian]]:
    """A key person's guardians with their full phone numbers: 404 outside scope, 403 without the right
    to reveal, a reason required. One audit event (guardian.reveal, with the reason) stands for the read.
    """
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.REVEAL_PERSONAL, key_person.unit_path):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ServiceError("请填写查看完整号码的事由", field="reason")
    guardians = list(key_person.guardians.all())
    audit_record(
        actor=user,
        action="guardian.reveal",
        obj=key_person,
        unit_path=key_person.unit_path,
        reason=reason,
        detail={"guardians": len(guardians)},
    )
    return key_person, guardians
