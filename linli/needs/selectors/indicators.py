"""Request indicators per unit (S6, A2): how many requests arose, how many were solved on time, escalated,
and how satisfied the residents were.

A request counts for the unit where it arose (its `unit_path` lies in the unit's subtree), in the period
in which it was filed (Asia/Shanghai dates, both ends included), wherever it is held now. One grouped
query whatever the number of units: the database counts per path where requests arose (grids and
communities, a few hundred rows for a district), and Python adds those up into the units asked for, like
`linli.care.indicators.on_time_rates`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from linli.core import paths
from linli.needs.models import Request
from linli.org.models import Unit

# Residents who give 4 or 5 points of 5 are counted as satisfied.
SATISFIED_FROM = 4


@dataclass(frozen=True)
class RequestRates:
    """The requests filed in a period that arose under one unit (or under several, for a total)."""

    label: str
    total: int = 0
    # State now: still held somewhere on the ladder.
    open: int = 0
    # Solved at some point (waiting for the resident's rating, or closed since).
    solved: int = 0
    closed: int = 0
    # Escalated at least once, by a person or by the deadline worker.
    escalated: int = 0
    solved_on_time: int = 0
    # Closed with a satisfaction score, its sum, and how many of them 4 or 5.
    rated: int = 0
    satisfaction_sum: int = 0
    satisfied: int = 0
    unit: Unit | None = None

    @property
    def on_time_rate(self) -> float | None:
        """Solved within the deadline of the level that solved it, over all solved; None without any."""
        return self.solved_on_time / self.solved if self.solved else None

    @property
    def average_satisfaction(self) -> float | None:
        return self.satisfaction_sum / self.rated if self.rated else None

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


_COUNTED = (
    "total",
    "open",
    "solved",
    "closed",
    "escalated",
    "solved_on_time",
    "rated",
    "satisfaction_sum",
    "satisfied",
)


def _rates(label: str, unit: Unit | None, counts: dict[str, int]) -> RequestRates:
    return RequestRates(
        label=label,
        unit=unit,
        total=counts.get("total", 0),
        open=counts.get("open", 0),
        solved=counts.get("solved", 0),
        closed=counts.get("closed", 0),
        escalated=counts.get("escalated", 0),
        solved_on_time=counts.get("solved_on_time", 0),
        rated=counts.get("rated", 0),
        satisfaction_sum=counts.get("satisfaction_sum", 0),
        satisfied=counts.get("satisfied", 0),
    )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def request_rates(*, units: list[Unit], start: datetime.date, end: datetime.date) -> list[RequestRates]:
    """The figures of each unit (the caller has accessed them, e.g. the children of a station), in order.

    The units must not lie inside one another. Requests filed from `start` to `end` (local dates, both
    included) count; one query.
    """
    unit_paths = sorted(u.path for u in units)
    if paths.collapse(unit_paths) != unit_paths:
        raise ValueError("request_rates needs units that do not contain one another")
    totals: dict[str, dict[str, int]] = {}
    if unit_paths and start <= end:
        counts = {
            "total": Count("id"),
            "open": Count("id", filter=Q(state=Request.State.OPEN)),
            "solved": Count("id", filter=Q(solved_at__isnull=False)),
            "closed": Count("id", filter=Q(state=Request.State.CLOSED)),
            "escalated": Count("id", filter=Q(escalations__gt=0)),
            "solved_on_time": Count("id", filter=Q(solved_on_time=True)),
            "rated": Count("id", filter=Q(satisfaction__isnull=False)),
            "satisfaction_sum": Sum("satisfaction"),
            "satisfied": Count("id", filter=Q(satisfaction__gte=SATISFIED_FROM)),
        }
        # One row per path where requests arose (grids, communities), not per unit asked for.
        rows = (
            Request.objects.filter(
                paths.covering_q("unit_path", unit_paths),
                created_at__gte=_local_midnight(start),
                created_at__lt=_local_midnight(end + datetime.timedelta(days=1)),
            )
            .values("unit_path")
            .annotate(**counts)
            .values_list("unit_path", *_COUNTED)
            .order_by()
        )
        wanted = set(unit_paths)
        depths = sorted({paths.depth(p) for p in unit_paths})
        for unit_path, *figures in rows:
            parts = unit_path.split(paths.SEPARATOR)
            prefixes = (paths.SEPARATOR.join(parts[: depth + 1]) for depth in depths)
            key = next((prefix for prefix in prefixes if prefix in wanted), None)
            if key is None:
                continue
            bucket = totals.setdefault(key, {})
            for name, value in zip(_COUNTED, figures, strict=True):
                bucket[name] = bucket.get(name, 0) + (value or 0)
    return [_rates(u.name, u, totals.get(u.path, {})) for u in units]


def total_of(rows: list[RequestRates], label: str) -> RequestRates:
    """The rows added up (a station's figures from its communities')."""
    return _rates(label, None, {name: sum(getattr(r, name) for r in rows) for name in _COUNTED})
