"""The on-time contact rate on hand-made contact histories: weeks, cadences, time zone, units, members."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from linli.care.models import Contact, KeyPerson
from linli.care.selectors.indicators import (
    Period,
    last_full_weeks,
    on_time_rates,
    on_time_rates_by_member,
    period_between,
    required_contacts,
    total_of,
)
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.conftest import NQ_COMMUNITY, NQ_GRID, NQ_GRID_2
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Two ISO weeks long past: Monday 5 January to Sunday 18 January 2026.
WEEK_1 = datetime.date(2026, 1, 5)
WEEK_2 = datetime.date(2026, 1, 12)
TWO_WEEKS = Period(start=WEEK_1, end=WEEK_2 + datetime.timedelta(days=6))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _key_person(
    persona: Any, n: int, *, path: str = NQ_GRID, risk: str = "low", member: str | None = "grid-nq"
) -> KeyPerson:
    resident = Resident.objects.create(
        name=f"试率{n}", document_kind="id_card", residence_type="registered", unit_path=path,
        id_number=make_id_number("310120", datetime.date(1940, 1, 1), 2 * n + 1, "M"),
    )  # fmt: skip
    key_person = key_person_enrol(
        actor=persona("nanqiao"), resident=resident, categories=[CategoryInput("living_alone")],
        risk_level=risk, responsible=persona(member) if member else None,
    )  # fmt: skip
    # On the ledger since before the period.
    KeyPerson.objects.filter(pk=key_person.pk).update(created_at=_at(datetime.date(2025, 12, 1), 9))
    key_person.refresh_from_db()
    return key_person


def _contacts(persona: Any, key_person: KeyPerson, *times: datetime.datetime, reached: bool = True) -> None:
    for when in times:
        Contact.objects.create(
            key_person=key_person,
            occurred_at=when,
            kind="visit",
            recorded_by=persona("grid-nq"),
            reached=reached,
        )


def _grid_rate(period: Period = TWO_WEEKS) -> tuple[int, int]:
    [rate] = on_time_rates(units=[Unit.objects.get(code=NQ_GRID)], period=period)
    return rate.person_weeks, rate.on_time


@pytest.mark.parametrize(("cadence", "required"), [(1, 7), (2, 4), (3, 3), (4, 2), (6, 2), (7, 1), (14, 1)])
def test_required_contacts_per_week_follow_the_cadence(cadence, required):
    assert required_contacts(cadence) == required


def test_two_contacts_in_week_one_and_none_in_week_two_is_half(persona):
    person = _key_person(persona, 1)
    assert person.cadence_days == 7
    _contacts(persona, person, _at(WEEK_1, 9), _at(WEEK_1 + datetime.timedelta(days=3), 15))
    assert _grid_rate() == (2, 1)
    [rate] = on_time_rates(units=[Unit.objects.get(code=NQ_GRID)], period=TWO_WEEKS)
    assert rate.rate == 0.5
    assert rate.percent == 50.0


def test_a_three_day_cadence_needs_three_contacts_a_week(persona):
    person = _key_person(persona, 2, risk="high")
    assert person.cadence_days == 3
    _contacts(persona, person, _at(WEEK_1, 9), _at(WEEK_1 + datetime.timedelta(days=3), 9))
    _contacts(persona, person, *[_at(WEEK_2 + datetime.timedelta(days=d), 10) for d in (0, 2, 4)])
    assert _grid_rate() == (2, 1)


def test_contacts_that_reached_nobody_do_not_count(persona):
    person = _key_person(persona, 3)
    _contacts(persona, person, _at(WEEK_1, 9), _at(WEEK_2, 9), reached=False)
    assert _grid_rate() == (2, 0)


def test_weeks_are_shanghai_weeks(persona):
    person = _key_person(persona, 4)
    sunday = WEEK_2 - datetime.timedelta(days=1)
    week_1, week_2 = Period(WEEK_1, sunday), Period(WEEK_2, WEEK_2 + datetime.timedelta(days=6))
    # Monday 00:30 in Shanghai is still Sunday (16:30) in UTC: it belongs to week two.
    _contacts(persona, person, _at(WEEK_2, 0, 30))
    assert (_grid_rate(week_1), _grid_rate(week_2)) == ((1, 0), (1, 1))
    Contact.objects.all().delete()
    # Sunday 23:30 in Shanghai (15:30 UTC) belongs to week one.
    _contacts(persona, person, _at(sunday, 23, 30))
    assert (_grid_rate(week_1), _grid_rate(week_2)) == ((1, 1), (1, 0))
    # Both together: each week has its contact.
    _contacts(persona, person, _at(WEEK_2, 0, 30))
    assert _grid_rate() == (2, 2)


def test_only_weeks_on_the_ledger_count(persona):
    person = _key_person(persona, 5)
    # Put on the ledger on the Wednesday of week one: week two is its first week.
    KeyPerson.objects.filter(pk=person.pk).update(created_at=_at(WEEK_1 + datetime.timedelta(days=2), 10))
    _contacts(persona, person, _at(WEEK_1 + datetime.timedelta(days=2), 15))
    assert _grid_rate() == (1, 0)
    _contacts(persona, person, _at(WEEK_2 + datetime.timedelta(days=1), 15))
    assert _grid_rate() == (1, 1)
    # Put on the ledger after the period: no weeks at all.
    KeyPerson.objects.filter(pk=person.pk).update(created_at=_at(datetime.date(2026, 2, 1), 10))
    assert _grid_rate() == (0, 0)


def test_people_off_the_ledger_do_not_count(persona):
    person = _key_person(persona, 6)
    _contacts(persona, person, _at(WEEK_1, 9))
    KeyPerson.objects.filter(pk=person.pk).update(is_active=False)
    assert _grid_rate() == (0, 0)
    [rate] = on_time_rates(units=[Unit.objects.get(code=NQ_GRID)], period=TWO_WEEKS)
    assert rate.rate is None


def test_rates_of_the_grids_of_a_community_in_three_queries(persona, django_assert_num_queries):
    first = _key_person(persona, 7)
    _contacts(persona, first, _at(WEEK_1, 9), _at(WEEK_2, 9))
    for n in range(3):
        second = _key_person(persona, 8 + n, path=NQ_GRID_2, member=None)
        _contacts(persona, second, _at(WEEK_1, 9))
    grids = list(Unit.objects.filter(parent__code=NQ_COMMUNITY).order_by("path"))
    with django_assert_num_queries(3):
        rates = on_time_rates(units=grids, period=TWO_WEEKS)
    by_code = {r.unit.code: (r.person_weeks, r.on_time) for r in rates if r.unit is not None}
    assert by_code[NQ_GRID] == (2, 2)
    assert by_code[NQ_GRID_2] == (6, 3)
    assert all(by_code[g.code] == (0, 0) for g in grids[2:])
    total = total_of(rates, "社区")
    assert (total.person_weeks, total.on_time, total.rate) == (8, 5, 5 / 8)
    [community] = on_time_rates(units=[Unit.objects.get(code=NQ_COMMUNITY)], period=TWO_WEEKS)
    assert (community.person_weeks, community.on_time) == (8, 5)


def test_units_inside_one_another_are_refused():
    units = [Unit.objects.get(code=NQ_COMMUNITY), Unit.objects.get(code=NQ_GRID)]
    with pytest.raises(ValueError, match="contain"):
        on_time_rates(units=units, period=TWO_WEEKS)


def test_rates_per_member_with_the_unpaired_last(persona):
    mine = _key_person(persona, 20)
    _contacts(persona, mine, _at(WEEK_1, 9), _at(WEEK_2, 9))
    squad = _key_person(persona, 21, member="squad-nq")
    _contacts(persona, squad, _at(WEEK_1, 9))
    _key_person(persona, 22, member=None)
    _key_person(persona, 23, member="grid-nq")
    rows = on_time_rates_by_member(unit=Unit.objects.get(code=NQ_GRID), period=TWO_WEEKS)
    assert [(r.member.username if r.member else None, r.person_weeks, r.on_time) for r in rows] == [
        ("grid-nq", 4, 2),
        ("squad-nq", 2, 1),
        (None, 2, 0),
    ]
    assert rows[-1].label == "未结对"


def test_the_default_period_is_the_last_four_full_weeks():
    monday = datetime.date(2026, 11, 23)
    assert last_full_weeks(monday) == Period(datetime.date(2026, 10, 26), datetime.date(2026, 11, 22))
    sunday = datetime.date(2026, 11, 29)
    assert last_full_weeks(sunday) == last_full_weeks(monday)  # the week ending today is not over yet
    assert len(last_full_weeks(monday).mondays) == 4


def test_a_period_is_widened_to_whole_weeks_that_have_ended():
    today = datetime.date(2026, 11, 25)  # a Wednesday
    period = period_between(datetime.date(2026, 11, 4), datetime.date(2026, 11, 25), today=today)
    assert period == Period(datetime.date(2026, 11, 2), datetime.date(2026, 11, 22))
    assert period.mondays == [
        datetime.date(2026, 11, 2),
        datetime.date(2026, 11, 9),
        datetime.date(2026, 11, 16),
    ]
    assert period_between(today, today, today=today).is_empty
    assert _grid_rate(period_between(today, today, today=today)) == (0, 0)


def test_a_person_taken_off_the_ledger_counts_for_the_weeks_before(persona):
    from linli.care.services.key_persons import key_person_remove

    person = _key_person(persona, 41)
    _contacts(persona, person, _at(WEEK_1, 10))
    key_person_remove(actor=persona("nanqiao"), key_person=person, reason="已迁往外区居住")
    # Left on the Wednesday of week two: week one counts (on time), week two does not count at all.
    KeyPerson.objects.filter(pk=person.pk).update(left_at=_at(WEEK_2 + datetime.timedelta(days=2), 12))
    assert _grid_rate() == (1, 1)
    # Had they left after week two ended, both weeks count, and week two was missed.
    KeyPerson.objects.filter(pk=person.pk).update(left_at=_at(WEEK_2 + datetime.timedelta(days=8), 12))
    assert _grid_rate() == (2, 1)
    # Left before the period began: not counted.
    KeyPerson.objects.filter(pk=person.pk).update(left_at=_at(WEEK_1 - datetime.timedelta(days=1), 12))
    assert _grid_rate() == (0, 0)


def test_remove_and_enrol_again(persona):
    from linli.audit.models import AuditEvent
    from linli.care.selectors.worklists import contacts_due
    from linli.care.services.key_persons import key_person_remove
    from linli.core.errors import ServiceError

    person = _key_person(persona, 42)
    with pytest.raises(ServiceError, match="请填写移出原因"):
        key_person_remove(actor=persona("nanqiao"), key_person=person, reason=" ")
    with pytest.raises(ServiceError, match="权限"):
        key_person_remove(actor=persona("grid-nq"), key_person=person, reason="康复")
    key_person_remove(actor=persona("nanqiao"), key_person=person, reason="已康复")
    person.refresh_from_db()
    assert not person.is_active and person.left_reason == "已康复" and person.left_at is not None
    assert AuditEvent.objects.filter(action="key_person.remove", object_id=str(person.pk)).exists()
    assert person not in contacts_due(user=persona("nanqiao"), on=datetime.date(2030, 1, 1))
    with pytest.raises(ServiceError, match="已不在"):
        key_person_remove(actor=persona("nanqiao"), key_person=person, reason="再次")
    # Back on the ledger: the same row, active again, categories as now given, counted from now.
    again = key_person_enrol(
        actor=persona("nanqiao"), resident=person.resident, categories=[CategoryInput("empty_nest")]
    )
    assert again.pk == person.pk and again.is_active and again.left_at is None
    assert list(again.categories.values_list("category", flat=True)) == ["empty_nest"]
    with pytest.raises(ServiceError, match="已在重点人员台账中"):
        key_person_enrol(
            actor=persona("nanqiao"), resident=person.resident, categories=[CategoryInput("empty_nest")]
        )


def test_a_small_part_of_the_ledger_is_counted_the_same_with_the_join(persona):
    """A unit holding less than half the ledger filters contacts by unit in SQL; the figures agree."""
    person = _key_person(persona, 51)
    _contacts(persona, person, _at(WEEK_1, 9))
    for n in range(3):
        other = _key_person(persona, 52 + n, path=NQ_GRID_2, member=None)
        _contacts(persona, other, _at(WEEK_1, 9), _at(WEEK_2, 9))
    assert _grid_rate() == (2, 1)
    [second] = on_time_rates(units=[Unit.objects.get(code=NQ_GRID_2)], period=TWO_WEEKS)
    assert (second.person_weeks, second.on_time) == (6, 6)
