"""The demo key persons: plausible, in the shape the services give, deterministic and idempotent."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.selectors import scope_for
from linli.care.demo import load_care_demo
from linli.care.models import Category, Contact, KeyPerson, KeyPersonCategory
from linli.care.selectors import age_on, contacts_due
from linli.care.services import cadence_days
from linli.conftest import NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.registry.demo import SCALES, load_registry_demo
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db

AS_GRID = "150623.01.001.01"
PERSONA_GRIDS = {NQ_GRID: "grid-nq", TQ_GRID: "grid-tq", AS_GRID: "grid-as"}
ELDER = {Category.LIVING_ALONE, Category.EMPTY_NEST, Category.DEMENTIA_WANDERING, Category.DEPENDENT}
CHILD = {Category.CHILD_IN_DIFFICULTY, Category.LEFT_BEHIND_CHILD}


@pytest.fixture
def demo() -> dict[str, int]:
    for under in (NQ_COMMUNITY, TQ_GRID, AS_GRID):
        load_registry_demo(under=under)
    return load_care_demo()


def _snapshot() -> dict[str | None, Any]:
    """What the demo made, by ID number (stable across runs), not by row id."""
    people = KeyPerson.objects.select_related("resident", "responsible").prefetch_related("categories")
    return {
        kp.resident.id_number: (
            sorted(c.category for c in kp.categories.all()), kp.risk_level, kp.cadence_days,
            kp.next_contact_due, kp.last_contact_at, kp.responsible.username if kp.responsible else None,
            kp.contacts.count(),
        )
        for kp in people
    }  # fmt: skip


def test_every_grid_gets_key_persons_paired_with_its_members(demo, persona):
    grids = set(Resident.objects.values_list("unit_path", flat=True))
    people = list(KeyPerson.objects.select_related("responsible", "backup"))
    assert demo == {"重点人员": len(people), "联系记录": Contact.objects.count()}
    assert {kp.unit_path for kp in people} == grids
    residents = Resident.objects.count()
    assert residents == len(grids) * SCALES["default"]
    # At least one a grid (12 residents each by default), four in a persona's grid.
    assert len(people) <= len(grids) + 3 * len(PERSONA_GRIDS)
    for path, username in PERSONA_GRIDS.items():
        in_grid = [kp for kp in people if kp.unit_path == path]
        assert len(in_grid) >= 4
        assert any(kp.responsible and kp.responsible.username == username for kp in in_grid)
    for kp in people:
        assert kp.responsible is not None
        assert scope_for(kp.responsible).can("log_contacts", kp.unit_path)
        if kp.backup is not None:
            assert scope_for(kp.backup).can("log_contacts", kp.unit_path)


@pytest.mark.parametrize("username", ["grid-nq", "grid-tq", "grid-as"])
def test_every_persona_grid_worker_has_people_due_today_and_overdue(demo, persona, username):
    today = timezone.localdate()
    due = list(contacts_due(user=persona(username), on=today, mine=True))
    assert any(kp.next_contact_due == today for kp in due)
    assert any(kp.next_contact_due < today for kp in due)
    # The persona's list opens with an emergency, flagged at the top.
    assert due[0].emergency_at is not None


def test_categories_fit_the_people(demo):
    today = timezone.localdate()
    categories = list(KeyPersonCategory.objects.select_related("key_person__resident"))
    kinds = {c.category for c in categories}
    assert {Category.LIVING_ALONE, Category.EMPTY_NEST} <= kinds
    for c in categories:
        resident = c.key_person.resident
        age = age_on(resident.birth_date, today)
        assert age is not None
        if c.category in ELDER:
            assert age >= 60
        if c.category == Category.DEMENTIA_WANDERING:
            assert age >= 75
        if c.category in CHILD:
            assert age < 18
        if c.category == Category.PREGNANT:
            assert resident.sex == "F" and 20 <= age <= 40
            assert c.due_date is not None and c.due_date > today
        if c.category == Category.DISABLED:
            assert c.disability_grade in (1, 2, 3, 4)
        if c.category in (Category.SERIOUSLY_ILL, Category.CRITICALLY_ILL):
            assert c.treatment
    elder_or_child = {c.key_person_id for c in categories if c.category in ELDER | CHILD}
    for kp in KeyPerson.objects.filter(pk__in=elder_or_child).prefetch_related("guardians"):
        assert len(kp.guardians.all()) == 1


def test_dates_are_what_the_services_would_have_written(demo):
    today = timezone.localdate()
    now = timezone.now()
    zone = timezone.get_default_timezone()
    people = KeyPerson.objects.prefetch_related("categories", "contacts")
    for kp in people:
        assert kp.cadence_days == cadence_days(
            categories=[c.category for c in kp.categories.all()], risk_level=kp.risk_level
        )
        contacts = sorted(kp.contacts.all(), key=lambda c: c.occurred_at)
        assert contacts, "every demo key person has a history"
        assert all(now - datetime.timedelta(days=36) < c.occurred_at < now for c in contacts)
        assert (
            timezone.localtime(kp.created_at, zone).date()
            < timezone.localtime(contacts[0].occurred_at).date()
        )
        reached = [c for c in contacts if c.reached]
        last = reached[-1]
        assert kp.last_contact_at == last.occurred_at
        assert kp.next_contact_due == timezone.localtime(last.occurred_at, zone).date() + datetime.timedelta(
            days=kp.cadence_days
        )
        assert (kp.emergency_at is not None) == last.is_emergency
        if kp.emergency_at is not None:
            assert kp.emergency_at == last.occurred_at
    states = {"overdue": 0, "today": 0, "later": 0}
    for due in people.values_list("next_contact_due", flat=True):
        states["overdue" if due < today else "today" if due == today else "later"] += 1
    assert all(states.values())


def test_loading_again_adds_nothing_and_the_same_people_come_back(demo):
    before = _snapshot()
    assert load_care_demo() == {}
    assert _snapshot() == before
    Contact.objects.all().delete()
    KeyPerson.objects.all().delete()
    assert load_care_demo() == demo
    assert _snapshot() == before
