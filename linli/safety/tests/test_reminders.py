"""`linli tick` reminds owners of agreement checks that are due, and tells people of overdue hazards, once."""

from __future__ import annotations

import pytest

from linli.notify.models import Notification
from linli.safety.models import DisputeCheck, Hazard
from linli.safety.services.disputes import dispute_checks_remind
from linli.safety.services.hazards import hazard_recheck, hazards_remind_overdue
from linli.safety.tests.conftest import days

pytestmark = pytest.mark.django_db


def _texts(username: str, needle: str) -> list[str]:
    return list(
        Notification.objects.filter(
            recipient__username=username, channel="database", text__contains=needle
        ).values_list("text", flat=True)
    )


def test_a_due_check_is_reminded_once(agreed):
    owner = agreed.owner
    assert dispute_checks_remind() == 1
    assert dispute_checks_remind() == 0
    check = DisputeCheck.objects.get(dispute=agreed, days_after=7)
    assert check.reminded_on == days(0)
    assert len(_texts(owner.username, "请回访协议履行情况")) == 1
    # The 30-day check is not due yet.
    assert DisputeCheck.objects.get(dispute=agreed, days_after=30).reminded_on is None
    assert dispute_checks_remind(today=days(23)) == 1


def test_an_overdue_hazard_is_told_once_per_deadline(hazards, persona):
    told = hazards_remind_overdue()
    overdue = Hazard.objects.filter(state=Hazard.State.OPEN, deadline__lt=days(0))
    assert told == overdue.count() >= 1
    assert hazards_remind_overdue() == 0
    hazard = overdue.first()
    assert hazard is not None
    assert _texts("officer-nq", "已超过整改期限")
    # A re-check that gives a new deadline starts the clock again.
    hazard_recheck(
        actor=persona("officer-nq"),
        hazard=hazard,
        cleared=False,
        note="住户已购买新软管，待安装",
        new_deadline=days(3),
    )
    hazard.refresh_from_db()
    assert hazard.overdue_notified_on is None
    assert hazards_remind_overdue(today=days(4)) >= 1
