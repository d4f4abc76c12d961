"""Reads of love contact cards (C6): the live cards under a unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linli.care.models import Category, KeyPerson, LoveCard
from linli.care.selectors.key_persons import key_persons_visible_to
from linli.core import paths
from linli.org.models import Unit

if TYPE_CHECKING:
    from linli.accounts.models import User


def love_cards_for_unit(*, user: User, unit: Unit) -> list[LoveCard]:
    """Live cards under a unit the caller has accessed, for the printable sheet."""
    people = key_persons_visible_to(user=user).filter(paths.subtree_q("unit_path", unit.path))
    return list(
        LoveCard.objects.filter(key_person__in=people, revoked_at__isnull=True)
        .select_related("key_person__resident")
        .prefetch_related("key_person__guardians")
        .order_by("key_person__unit_path", "key_person__resident__name")
    )


def needs_card(key_person: KeyPerson) -> bool:
    """Whether the person is at risk of getting lost (the category a card is for)."""
    return key_person.categories.filter(category=Category.DEMENTIA_WANDERING).exists()
