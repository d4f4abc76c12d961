"""Permission-bearing reads of the key-person ledger: who is visible, one person, their health details,
revealing their guardians' phones."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.care.models import Category, Guardian, KeyPerson, KeyPersonCategory
from linli.core import paths
from linli.core.errors import ServiceError
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


def can_view_health(user: User, unit_path: str) -> bool:
    """Whether `user` may see the health details of a key person of `unit_path`."""
    return scope_for(user).can(Capability.VIEW_HEALTH, unit_path)


def visible_categories(categories: Iterable[KeyPersonCategory], *, health: bool) -> list[KeyPersonCategory]:
    """A key person's categories as the reader may see them: without the health ones unless `health`."""
    return [c for c in categories if health or c.category not in HEALTH_CATEGORIES]


def key_persons_visible_to(*, user: User) -> QuerySet[KeyPerson]:
    """Key persons in the user's geographic subtrees (departments see none)."""
    scope = scope_for(user)
    return KeyPerson.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots), is_active=True)


def get_key_person_for_user(user: User, key_person_id: int) -> KeyPerson:
    """One key person; "absent" and "not yours" are the same 404."""
    key_person = (
        KeyPerson.objects.select_related("resident", "responsible", "backup").filter(pk=key_person_id).first()
    )
    if key_person is None:
        raise Http404
    if not scope_for(user).covers(key_person.unit_path):
        raise Http404
    return key_person


def get_key_person_detail_for_user(user: User, key_person_id: int) -> KeyPerson:
    """A key person's detail (categories, guardians, contact history): the read is audited."""
    from linli.audit.services.events import audit_record

    key_person = get_key_person_for_user(user, key_person_id)
    audit_record(actor=user, action="key_person.view", obj=key_person, unit_path=key_person.unit_path)
    return key_person


def key_persons_in(*, user: User, unit: Unit | None = None) -> QuerySet[KeyPerson]:
    """Key persons on the ledger in scope, or under a unit the caller has accessed, by grid."""
    queryset = key_persons_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    return queryset.select_related("resident", "responsible").order_by("unit_path", "id")


def age_on(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def guardian_reveal(*, user: User, key_person_id: int, reason: str) -> tuple[KeyPerson, list[Guardian]]:
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
