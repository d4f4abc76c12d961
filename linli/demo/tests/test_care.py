"""The demo key persons, sweeps and love cards: plausible, in the shape the services give, deterministic
and idempotent."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.selectors.scope import scope_for
from linli.audit.models import AuditEvent
from linli.care.models import (
    Category,
    Contact,
    KeyPerson,
    KeyPersonCategory,
    LoveCard,
    LoveCardScan,
    Sweep,
    SweepHousehold,
)
from linli.care.selectors.key_persons import age_on
from linli.care.selectors.sweeps import sweep_coverage
from linli.care.selectors.worklists import contacts_due
from linli.care.services.cadence_rules import cadence_days
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.demo.care import CLOSED_SWEEP_TITLE, OPEN_SWEEP_TITLE, load_care_demo
from linli.demo.registry import SCALES, load_registry_demo
from linli.notify.models import Notification
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
    assert demo == {
        "重点人员": len(people),
        "联系记录": Contact.objects.count(),
        "排查行动": Sweep.objects.count(),
        "爱心联系卡": LoveCard.objects.count(),
        "扫码记录": LoveCardScan.objects.count(),
    }
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
    sweeps = Sweep.objects.count()
    assert load_care_demo() == {}
    assert _snapshot() == before
    assert Sweep.objects.count() == sweeps
    carded = set(LoveCard.objects.values_list("key_person__resident__id_number", flat=True))
    LoveCardScan.objects.all().delete()
    LoveCard.objects.all().delete()
    Contact.objects.all().delete()
    KeyPerson.objects.all().delete()
    # The sweeps are still there: only the people, their contacts and cards come back.
    assert load_care_demo() == {k: n for k, n in demo.items() if k != "排查行动"}
    assert _snapshot() == before
    assert set(LoveCard.objects.values_list("key_person__resident__id_number", flat=True)) == carded


# Sweeps and love cards.


@pytest.mark.parametrize("username", ["grid-nq", "grid-tq", "grid-as"])
def test_every_persona_grid_has_a_sweep_under_way(demo, persona, username):
    worker = persona(username)
    path = next(p for p, u in PERSONA_GRIDS.items() if u == username)
    sweep = Sweep.objects.get(unit_path=path, state=Sweep.State.OPEN)
    assert (sweep.title, sweep.started_by, sweep.unit.code) == (OPEN_SWEEP_TITLE, worker, path)
    coverage = sweep_coverage(sweep=sweep)
    # Every standard address of the grid is a household; some are done, some not yet.
    assert coverage.total == SweepHousehold.objects.filter(sweep=sweep).count() > 0
    assert 0 < coverage.unaccounted < coverage.total
    assert coverage.by_outcome["visited"] and coverage.by_outcome["absent"]
    for household in sweep.households.exclude(outcome="pending"):
        assert household.visited_by == worker
        assert household.note
        assert household.visited_at is not None
        assert sweep.started_at < household.visited_at < timezone.now()
    for household in sweep.households.filter(outcome="pending"):
        assert household.visited_at is None


def test_grid_nq_also_has_a_finished_sweep_from_weeks_ago(demo, persona):
    closed = Sweep.objects.get(state=Sweep.State.CLOSED)
    assert (closed.title, closed.unit_path, closed.closed_by) == (
        CLOSED_SWEEP_TITLE,
        NQ_GRID,
        persona("grid-nq"),
    )
    assert sweep_coverage(sweep=closed).unaccounted == 0
    assert closed.close_reason == ""
    started = Sweep.objects.get(unit_path=NQ_GRID, state=Sweep.State.OPEN).started_at
    assert closed.closed_at is not None
    assert closed.started_at < closed.closed_at < started
    assert Sweep.objects.count() == demo["排查行动"] == 4
    events = AuditEvent.objects.filter(action__startswith="sweep.")
    assert sorted(events.values_list("action", flat=True)) == ["sweep.close"] + ["sweep.start"] * 4


def test_the_station_page_shows_the_demo_sweep_coverage(demo, client_for):
    body = client_for("nanqiao").get(f"/care/units/{NANQIAO}/").content.decode()
    section = body[body.index('id="sweeps"') : body.index('id="rates"')]
    sweep = Sweep.objects.get(unit_path=NQ_GRID, state=Sweep.State.OPEN)
    coverage = sweep_coverage(sweep=sweep)
    assert f'href="/care/sweeps/{sweep.pk}/">{OPEN_SWEEP_TITLE}</a>' in section
    assert f"已排查 <b>{coverage.accounted}</b>/{coverage.total} 户" in section
    assert CLOSED_SWEEP_TITLE not in section


def test_everyone_at_risk_of_getting_lost_has_a_love_card(demo):
    at_risk = set(
        KeyPerson.objects.filter(categories__category=Category.DEMENTIA_WANDERING, is_active=True)
        .filter(guardians__isnull=False)
        .values_list("pk", flat=True)
    )
    assert at_risk
    cards = list(LoveCard.objects.select_related("key_person", "issued_by"))
    assert sorted(c.key_person_id for c in cards) == sorted(at_risk)
    assert len(cards) == demo["爱心联系卡"]
    now = timezone.now()
    for card in cards:
        assert card.revoked_at is None
        assert len(card.token) == 43
        # Issued by someone who manages care there (the community officer), after the person was enrolled.
        assert scope_for(card.issued_by).can("manage_care", card.key_person.unit_path)
        assert card.key_person.created_at < card.issued_at < now
    assert AuditEvent.objects.filter(action="love_card.issue").count() == len(cards)


def test_the_personas_cards_were_scanned_without_alerting_anyone_now(demo):
    scans = list(LoveCardScan.objects.select_related("card__key_person"))
    assert len(scans) == demo["扫码记录"] >= 2
    now = timezone.now()
    for scan in scans:
        assert scan.card.key_person.unit_path in PERSONA_GRIDS
        assert scan.card.issued_at < scan.scanned_at < now - datetime.timedelta(days=1)
        assert scan.location
        assert scan.card.last_alert_at == scan.scanned_at
    # The scans are history: nobody is paged when the demo is loaded.
    assert not Notification.objects.exists()
