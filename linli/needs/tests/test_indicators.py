"""Request indicators per unit (S6): counts, on-time rate and satisfaction from figures set up here."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.conftest import (
    NANQIAO,
    NQ_COMMUNITY,
    NQ_COMMUNITY_2,
    NQ_COMMUNITY_3,
    NQ_GRID,
    NQ_GRID_2,
    TOUQIAO,
    TQ_GRID,
)
from linli.needs.models import Channel, Request, RequestCategory
from linli.needs.selectors.indicators import request_rates, total_of
from linli.needs.services.requests import request_close, request_escalate, request_file, request_solve
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def _file(persona, username: str, path: str) -> Request:
    return request_file(
        actor=persona(username),
        category=RequestCategory.objects.get(code="errands"),
        channel=Channel.PHONE,
        text="需要帮忙",
        unit=Unit.objects.get(path=path),
        caller_phone="13912345678",
    )


def _solve(persona, username: str, request: Request) -> Request:
    return request_solve(actor=persona(username), request=request, version=request.version, solution="已办")


def _close(persona, username: str, request: Request, satisfaction: int, method: str = "member") -> Request:
    return request_close(
        actor=persona(username),
        request=request,
        version=request.version,
        satisfaction=satisfaction,
        method=method,
    )


@pytest.fixture
def figures(persona) -> None:
    """Under 南桥's first committee: one solved on time and rated 5, one solved late and rated 3, one
    escalated and open, one filed ten days ago; under the second: one solved, not yet rated; one in 头桥."""
    on_time = _solve(persona, "grid-nq", _file(persona, "grid-nq", NQ_GRID))
    _close(persona, "squad-nq", on_time, 5, method="callback")

    late = _file(persona, "officer-nq", NQ_GRID_2)
    Request.objects.filter(pk=late.pk).update(deadline_at=timezone.now() - datetime.timedelta(hours=1))
    late = _solve(persona, "admin", late)
    assert late.solved_on_time is False
    _close(persona, "officer-nq", late, 3)

    escalated = _file(persona, "officer-nq", NQ_COMMUNITY)
    request_escalate(actor=persona("officer-nq"), request=escalated, version=1, reason="需派出所协调")

    old = _file(persona, "grid-nq", NQ_GRID)
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))

    _solve(persona, "officer-nq", _file(persona, "officer-nq", NQ_COMMUNITY_2))
    _file(persona, "grid-tq", TQ_GRID)


def test_rates_per_committee(figures, django_assert_num_queries):
    units = list(
        Unit.objects.filter(path__in=[NQ_COMMUNITY, NQ_COMMUNITY_2, NQ_COMMUNITY_3]).order_by("path")
    )
    today = timezone.localdate()
    with django_assert_num_queries(1):
        first, second, third = request_rates(units=units, start=today - datetime.timedelta(days=6), end=today)

    assert (first.unit, first.label) == (units[0], units[0].name)
    assert (first.total, first.open, first.solved, first.closed, first.escalated) == (3, 1, 2, 2, 1)
    assert (first.solved_on_time, first.on_time_rate) == (1, 0.5)
    assert (first.rated, first.average_satisfaction, first.satisfied, first.satisfied_share) == (
        2,
        4.0,
        1,
        0.5,
    )

    assert (second.total, second.open, second.solved, second.closed, second.escalated) == (1, 0, 1, 0, 0)
    assert (second.on_time_rate, second.rated, second.average_satisfaction, second.satisfied_share) == (
        1.0,
        0,
        None,
        None,
    )
    assert (third.total, third.on_time_rate, third.average_satisfaction) == (0, None, None)

    total = total_of([first, second, third], "南桥")
    assert (total.label, total.total, total.solved, total.solved_on_time, total.rated) == ("南桥", 4, 3, 2, 2)
    assert total.on_time_rate == pytest.approx(2 / 3)


def test_the_period_counts_filing_dates_both_ends_included(figures):
    units = list(Unit.objects.filter(path__in=[NQ_COMMUNITY]))
    today = timezone.localdate()
    (only_today,) = request_rates(units=units, start=today, end=today)
    assert only_today.total == 3
    ten_days_ago = today - datetime.timedelta(days=10)
    (that_day,) = request_rates(units=units, start=ten_days_ago, end=ten_days_ago)
    assert (that_day.total, that_day.open) == (1, 1)
    (both,) = request_rates(units=units, start=ten_days_ago, end=today)
    assert both.total == 4
    (before,) = request_rates(
        units=units, start=today - datetime.timedelta(days=30), end=ten_days_ago - datetime.timedelta(days=1)
    )
    assert before.total == 0
    (empty,) = request_rates(units=units, start=today, end=today - datetime.timedelta(days=1))
    assert empty.total == 0


def test_stations_and_nested_units(figures):
    stations = list(Unit.objects.filter(path__in=[NANQIAO, TOUQIAO]).order_by("path"))
    today = timezone.localdate()
    nanqiao, touqiao = request_rates(units=stations, start=today, end=today)
    assert (nanqiao.total, touqiao.total) == (4, 1)
    grid = Unit.objects.get(path=NQ_GRID)
    with pytest.raises(ValueError, match="contain one another"):
        request_rates(units=[stations[0], grid], start=today, end=today)
    assert request_rates(units=[], start=today, end=today) == []
