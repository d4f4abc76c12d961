"""On-time contact rate (C5): the share of key-person-weeks with at least the required reached contacts.

A key-person-week is an ISO week (Monday to Sunday, by Asia/Shanghai dates) that has ended and lies in
the period, counted for a person on the ledger by that Monday. The week is on time when it holds at least
ceil(7 / cadence_days) reached contacts, and at least one: weekly people need one, people on a three-day
cadence three. A contact that reached nobody does not count.

Three queries per table whatever its size: the people (with their enrolment date and cadence), the
size of the ledger, and the reached contacts counted per person and week in SQL. Weeks are bucketed by
comparing `occurred_at` with the instants at which Shanghai's Mondays begin, computed in Python: plain
comparisons that SQLite and PostgreSQL evaluate alike (SQLite would run TruncWeek's time zone conversion
in Python for every row).
People are bucketed into units or members in one pass in Python.

A person taken off the ledger counts for the weeks that ended before they left (`left_at`). Limits of
the data: the rate uses each person's current cadence and current responsible member (the ledger keeps
no pairing history beyond the audit log), and a person put back on the ledger counts from the new
enrolment.
"""

from __future__ import annotations

import bisect
import datetime
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from linli.accounts.models import User
from linli.care.models import Contact, KeyPerson
from linli.core import paths
from linli.org.models import Unit

DEFAULT_WEEKS = 4
# A table over more than about a year of weeks is a report, not a page.
MAX_WEEKS = 53
_WEEK = datetime.timedelta(days=7)


def required_contacts(cadence_days: int) -> int:
    """Reached contacts a week must hold for a person on this cadence."""
    return max(1, math.ceil(7 / max(cadence_days, 1)))


@dataclass(frozen=True)
class Period:
    """Whole ISO weeks: `start` is a Monday, `end` a Sunday (both local dates)."""

    start: datetime.date
    end: datetime.date

    @property
    def mondays(self) -> list[datetime.date]:
        return [self.start + i * _WEEK for i in range((self.end - self.start).days // 7 + 1)]

    @property
    def is_empty(self) -> bool:
        return self.end < self.start


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def last_full_week_end(today: datetime.date) -> datetime.date:
    """The Sunday of the last week that has ended (yesterday, when today is a Monday)."""
    return _monday(today) - datetime.timedelta(days=1)


def last_full_weeks(today: datetime.date, weeks: int = DEFAULT_WEEKS) -> Period:
    """The default period of the pages: the last `weeks` weeks that have ended."""
    end = last_full_week_end(today)
    return Period(start=end - datetime.timedelta(days=7 * weeks - 1), end=end)


def period_between(start: datetime.date, end: datetime.date, *, today: datetime.date) -> Period:
    """The weeks that overlap [start, end] and have ended by `today` (a week is judged once it is over).

    Empty (end before start) when no such week exists, say for a period within the current week.
    """
    first = _monday(start)
    last = min(_monday(end) + datetime.timedelta(days=6), last_full_week_end(today))
    return Period(start=first, end=last)


@dataclass(frozen=True)
class OnTimeRate:
    """The tally of one row of a table: a unit, or a member (the pairing, not who logged the contact)."""

    label: str
    person_weeks: int
    on_time: int
    unit: Unit | None = None
    member: User | None = None

    @property
    def rate(self) -> float | None:
        """On-time weeks over all weeks; None when nobody was on the ledger."""
        return self.on_time / self.person_weeks if self.person_weeks else None

    @property
    def percent(self) -> float | None:
        rate = self.rate
        return None if rate is None else rate * 100


_Key = Hashable


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def _tally(
    roots: list[str], period: Period, key_of: Callable[[str, int | None], _Key | None]
) -> dict[_Key, list[int]]:
    """{key: [person_weeks, on_time]} over the key persons under `roots` (three queries).

    `key_of(unit_path, responsible_id)` buckets a person, or drops it with None.
    """
    totals: dict[_Key, list[int]] = {}
    mondays = period.mondays
    if period.is_empty or not roots:
        return totals
    # Week i runs from the local midnight starting mondays[i] to the one starting mondays[i + 1]. These
    # are instants, so the database buckets contacts by comparison alone: no time zone functions,
    # which SQLite would run in Python for every row.
    week_ends = [_local_midnight(m + _WEEK) for m in mondays]
    begins, ends = _local_midnight(period.start), week_ends[-1]

    # On the ledger now, or taken off it after the period began (their earlier weeks still count).
    on_ledger = Q(is_active=True) | Q(left_at__gte=begins)
    people = KeyPerson.objects.filter(
        paths.covering_q("unit_path", roots), on_ledger, created_at__lt=ends
    ).values_list("id", "unit_path", "responsible_id", "cadence_days", "created_at", "left_at")
    # id -> (key, required contacts, index of the first week on the ledger, index past the last)
    counted: dict[int, tuple[_Key, int, int, int]] = {}
    zone = timezone.get_default_timezone()
    for pk, unit_path, responsible_id, cadence, created_at, left_at in people:
        key = key_of(unit_path, responsible_id)
        if key is None:
            continue
        # The first Monday on or after the day of enrolment; the weeks that ended before leaving.
        first = bisect.bisect_left(mondays, timezone.localtime(created_at, zone).date())
        last = len(mondays) if left_at is None else bisect.bisect_right(week_ends, left_at)
        if first >= last:
            continue
        counted[pk] = (key, required_contacts(cadence), first, last)
        totals.setdefault(key, [0, 0])[0] += last - first

    # One row per person with running counts, one comparison each: "reached before the end of week i"
    # (the last is every row, as the period bounds the query); a week's count is the difference of two
    # neighbours. key_person_id is counted (never null) rather than id: the index contact_reached_period
    # (time, key person) then holds everything the query reads.
    counts = {
        f"upto{i}": Count("key_person_id", filter=Q(occurred_at__lt=end))
        for i, end in enumerate(week_ends[:-1])
    }
    counts[f"upto{len(week_ends) - 1}"] = Count("key_person_id")
    contacts = Contact.objects.filter(reached=True, occurred_at__gte=begins, occurred_at__lt=ends)
    # Who is counted was settled above, and contacts of anyone else are skipped in Python. When the
    # units asked for hold most of the ledger (a district's table), counting every contact of the period
    # costs less than joining each to its person to check the unit; for a station's, the join pays.
    ledger = KeyPerson.objects.filter(on_ledger, created_at__lt=ends).count()
    if len(counted) * 2 < ledger:
        contacts = contacts.filter(paths.covering_q("key_person__unit_path", roots))
    weeks = (
        contacts.values("key_person_id").annotate(**counts).values_list("key_person_id", *counts).order_by()
    )
    # Plain fetches, not .iterator(): on PostgreSQL an iterator is a server-side cursor, which the
    # planner optimises for its first rows (a nested loop over every contact) rather than for all.
    for pk, *running in weeks:
        person = counted.get(pk)
        if person is None:
            continue
        per_week = [n - (running[i - 1] if i else 0) for i, n in enumerate(running)]
        key, required, first, last = person
        totals[key][1] += sum(
            1 for index, n in enumerate(per_week) if first <= index < last and n >= required
        )
    return totals


def on_time_rates(*, units: list[Unit], period: Period) -> list[OnTimeRate]:
    """The rate of each unit (the caller has accessed them), e.g. the children of a station.

    The units must not lie inside one another; three queries whatever their number.
    """
    unit_paths = sorted(u.path for u in units)
    if paths.collapse(unit_paths) != unit_paths:
        raise ValueError("on_time_rates needs units that do not contain one another")
    wanted = set(unit_paths)
    depths = sorted({paths.depth(p) for p in unit_paths})

    def key_of(unit_path: str, responsible_id: int | None) -> str | None:
        parts = unit_path.split(paths.SEPARATOR)
        for depth in depths:
            candidate = paths.SEPARATOR.join(parts[: depth + 1])
            if candidate in wanted:
                return candidate
        return None

    totals = _tally(unit_paths, period, key_of)
    return [
        OnTimeRate(
            label=u.name,
            unit=u,
            person_weeks=totals.get(u.path, [0, 0])[0],
            on_time=totals.get(u.path, [0, 0])[1],
        )
        for u in units
    ]


def on_time_rates_by_member(*, unit: Unit, period: Period) -> list[OnTimeRate]:
    """The rate of each member responsible for key persons under `unit`, most weeks first.

    People nobody is responsible for are one row without a member (“未结对”). Three queries.
    """
    totals = _tally([unit.path], period, lambda unit_path, responsible_id: responsible_id or 0)
    members = User.objects.in_bulk([k for k in totals if isinstance(k, int) and k])
    rows = [
        OnTimeRate(
            label=str(members[key]) if key in members else "未结对",
            member=members.get(key) if isinstance(key, int) else None,
            person_weeks=weeks,
            on_time=on_time,
        )
        for key, (weeks, on_time) in totals.items()
    ]
    return sorted(rows, key=lambda r: (r.member is None, -r.person_weeks, r.label))


def total_of(rows: list[OnTimeRate], label: str) -> OnTimeRate:
    """The rows added up (a station's rate from its communities')."""
    return OnTimeRate(
        label=label,
        person_weeks=sum(r.person_weeks for r in rows),
        on_time=sum(r.on_time for r in rows),
    )
