"""Hazards (P2): logging with a deadline, overdue, re-checks, hazards from a contact, the summary, overdue
reminders."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import Sweep
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_COMMUNITY_2, NQ_GRID, TQ_GRID
from linli.core.errors import ServiceError
from linli.notify.models import Notification
from linli.org.models import Unit
from linli.org.selectors.units import ReadOnlyAccess
from linli.safety.models import Hazard
from linli.safety.selectors.hazards import (
    get_hazard_for_handling,
    get_hazard_for_user,
    hazard_counts,
    hazard_summary,
    hazards_in,
)
from linli.safety.services.hazards import hazard_open_from_contact, hazard_recheck, hazards_remind_overdue
from linli.safety.tests.conftest import days, key_person_with_contact, make_hazard, move_deadline, unit

pytestmark = pytest.mark.django_db


def test_a_hazard_is_logged_with_its_deadline_and_audited(persona):
    hazard = make_hazard(persona, "grid-nq", NQ_GRID, "燃气软管老化", place="8号楼202室")
    assert (hazard.state, hazard.deadline, hazard.found_on) == ("open", days(5), days(0))
    assert (hazard.kind, hazard.risk_level, hazard.source) == ("gas", "medium", "check")
    assert hazard.recorded_by == persona("grid-nq")
    assert AuditEvent.objects.filter(action="hazard.record", object_id=str(hazard.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"deadline": "past"}, "整改期限不能早于今天"),
        ({"description": " "}, "请填写隐患描述"),
        ({"responsible_party": ""}, "请填写整改责任方"),
        ({"found_on": "future"}, "发现日期不能晚于今天"),
        ({"kind": "ghost"}, "隐患类型无效"),
        ({"risk_level": "extreme"}, "风险等级无效"),
        ({"source": "rumour"}, "发现途径无效"),
        ({"path": NANQIAO}, "请选择网格或社区/村"),
    ],
)
def test_bad_hazards_are_refused_in_chinese(persona, kwargs, message):
    values = {"description": "隐患", **kwargs}
    if values.get("deadline") == "past":
        values["deadline"] = days(-1)
    if values.get("found_on") == "future":
        values["found_on"] = days(1)
    path = values.pop("path", NQ_GRID)
    with pytest.raises(ServiceError, match=message):
        make_hazard(persona, "nanqiao", path, **values)
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("username", ["auditor", "zhian", "grid-tq"])
def test_people_without_safety_work_there_cannot_log_or_recheck(hazards, persona, username):
    with pytest.raises(ServiceError, match="权限"):
        make_hazard(persona, username, NQ_GRID, "越权登记")
    with pytest.raises(ServiceError, match="权限"):
        hazard_recheck(actor=persona(username), hazard=hazards["open"], cleared=True)


def test_open_past_the_deadline_is_overdue(hazards, persona):
    today = days(0)
    user = persona("grid-nq")
    assert hazards["overdue"].is_overdue(today)
    assert not hazards["open"].is_overdue(today)
    assert not hazards["cleared"].is_overdue(days(100))
    assert list(hazards_in(user=user, on=today, state="overdue")) == [hazards["overdue"]]
    assert list(hazards_in(user=user, on=today, state="open")) == [hazards["overdue"], hazards["open"]]
    assert list(hazards_in(user=user, on=today, state="cleared")) == [hazards["cleared"]]
    # The open one is overdue once its deadline has passed.
    assert set(hazards_in(user=user, on=days(6), state="overdue")) == {hazards["overdue"], hazards["open"]}
    counts = hazard_counts(user=user, unit=unit(NQ_GRID), on=today)
    assert (counts.open, counts.overdue, counts.cleared) == (2, 1, 1)


def test_a_recheck_that_finds_it_cleared_closes_it(hazards, persona):
    hazard = hazards["overdue"]
    recheck = hazard_recheck(actor=persona("squad-nq"), hazard=hazard, cleared=True, note="电动车已移走")
    hazard.refresh_from_db()
    assert (hazard.state, hazard.cleared_on) == ("cleared", days(0))
    assert (recheck.checked_by, recheck.cleared, recheck.note) == (persona("squad-nq"), True, "电动车已移走")
    with pytest.raises(ServiceError, match="已整改销号"):
        hazard_recheck(actor=persona("squad-nq"), hazard=hazard, cleared=True)
    assert AuditEvent.objects.filter(action="hazard.recheck", object_id=str(hazard.pk)).exists()


def test_a_recheck_that_finds_work_left_needs_a_note_and_may_give_more_time(hazards, persona):
    hazard = hazards["overdue"]
    with pytest.raises(ServiceError, match="请填写复查情况"):
        hazard_recheck(actor=persona("grid-nq"), hazard=hazard, cleared=False)
    with pytest.raises(ServiceError, match="新的整改期限不能早于今天"):
        hazard_recheck(
            actor=persona("grid-nq"), hazard=hazard, cleared=False, note="未完成", new_deadline=days(-1)
        )
    with pytest.raises(ServiceError, match="复查时间不能晚于现在"):
        hazard_recheck(
            actor=persona("grid-nq"), hazard=hazard, cleared=True,
            checked_at=timezone.now() + datetime.timedelta(hours=2),
        )  # fmt: skip
    with pytest.raises(ServiceError, match="复查时间不能早于发现日期"):
        hazard_recheck(
            actor=persona("grid-nq"), hazard=hazard, cleared=True,
            checked_at=timezone.now() - datetime.timedelta(days=30),
        )  # fmt: skip
    hazard_recheck(
        actor=persona("grid-nq"), hazard=hazard, cleared=False, note="已购材料", new_deadline=days(3)
    )
    hazard.refresh_from_db()
    assert (hazard.state, hazard.deadline) == ("open", days(3))
    assert not hazard.is_overdue(days(0))
    assert hazard.rechecks.count() == 1


def test_a_contact_that_found_a_hazard_opens_one_at_the_key_persons_home(persona):
    contact = key_person_with_contact(persona)
    hazard = hazard_open_from_contact(actor=persona("grid-nq"), contact=contact)
    key_person = contact.key_person
    assert hazard.contact == contact
    assert (hazard.kind, hazard.source, hazard.risk_level) == ("other", "contact", "high")
    assert hazard.unit_path == key_person.unit_path == NQ_GRID
    assert hazard.description == "燃气灶软管老化"
    assert hazard.deadline == days(7)
    assert hazard.found_on == timezone.localdate(contact.occurred_at)
    assert hazard.place == "育秀路100弄12号101室"
    assert "试赵老" in hazard.responsible_party
    # Called again (say, by a retry), it gives the same hazard.
    assert hazard_open_from_contact(actor=persona("grid-nq"), contact=contact) == hazard
    assert Hazard.objects.filter(contact=contact).count() == 1


def test_a_contact_without_a_hazard_opens_none(persona):
    contact = key_person_with_contact(persona, hazards_found="")
    with pytest.raises(ServiceError, match="没有发现隐患"):
        hazard_open_from_contact(actor=persona("grid-nq"), contact=contact)
    with pytest.raises(ServiceError, match="权限"):
        hazard_open_from_contact(actor=persona("auditor"), contact=key_person_with_contact(persona, "x", n=2))


def test_a_hazard_from_a_sweep_takes_it_as_its_source_in_the_same_place(persona):
    grid = unit(NQ_GRID)
    sweep = Sweep.objects.create(
        kind="knock", title="敲门行动", unit=grid, unit_path=grid.path, started_by=persona("grid-nq")
    )
    hazard = make_hazard(persona, "grid-nq", NQ_GRID, "楼道堆物", sweep=sweep, source="report")
    assert (hazard.source, hazard.sweep) == ("sweep", sweep)
    tq = unit(TQ_GRID)
    elsewhere = Sweep.objects.create(
        kind="knock", title="头桥敲门", unit=tq, unit_path=tq.path, started_by=persona("grid-tq")
    )
    with pytest.raises(ServiceError, match="该排查行动不在这个网格或社区"):
        make_hazard(persona, "nanqiao", NQ_GRID, "楼道堆物", sweep=elsewhere)


def test_hazards_are_read_in_scope_only(hazards, persona):
    assert get_hazard_for_user(persona("officer-nq"), hazards["open"].pk) == hazards["open"]
    for username in ("grid-tq", "zhian", "jingzhen"):
        with pytest.raises(Http404):
            get_hazard_for_user(persona(username), hazards["open"].pk)
    with pytest.raises(ReadOnlyAccess):
        get_hazard_for_handling(persona("auditor"), hazards["open"].pk)
    assert not hazards_in(user=persona("zhian"), on=days(0)).exists()
    assert list(hazards_in(user=persona("grid-tq"), on=days(0))) == [hazards["tq"]]


def test_the_summary_counts_per_community_found_cleared_open_and_overdue(persona):
    nq2_grid = Unit.objects.filter(parent__path=NQ_COMMUNITY_2, kind="grid").order_by("path").first()
    assert nq2_grid is not None
    start, end = days(-30), days(0)
    # 001: found before the period and still open, overdue.
    move_deadline(make_hazard(persona, "nanqiao", NQ_GRID, "早前发现"), days(-35), days(-40))
    # 001: found in the period and cleared in it.
    cleared = make_hazard(persona, "nanqiao", NQ_GRID, "本期整改")
    move_deadline(cleared, days(5), days(-10))
    hazard_recheck(actor=persona("nanqiao"), hazard=cleared, cleared=True)
    # 001 (the community itself): found in the period, open, not yet due.
    make_hazard(persona, "officer-nq", NQ_COMMUNITY, "本期待整改")
    # 002: found in the period, open past its deadline.
    move_deadline(make_hazard(persona, "nanqiao", nq2_grid.path, "本期逾期"), days(-2), days(-20))
    # Before the period, cleared before it: nothing to show in this period.
    old = make_hazard(persona, "nanqiao", NQ_GRID, "很早整改")
    move_deadline(old, days(5), days(-60))
    hazard_recheck(
        actor=persona("nanqiao"), hazard=old, cleared=True,
        checked_at=timezone.now() - datetime.timedelta(days=50),
    )  # fmt: skip
    make_hazard(persona, "touqiao", TQ_GRID, "头桥的")

    summary = hazard_summary(user=persona("nanqiao"), unit=unit(NANQIAO), start=start, end=end)
    rows = {r.unit.path: (r.found, r.cleared, r.still_open, r.overdue) for r in summary.rows if r.unit}
    communities = Unit.objects.filter(parent__path=NANQIAO, kind="community").count()
    assert len(summary.rows) == communities
    assert rows[NQ_COMMUNITY] == (2, 1, 2, 1)
    assert rows[NQ_COMMUNITY_2] == (1, 0, 1, 1)
    assert all(v == (0, 0, 0, 0) for path, v in rows.items() if path not in (NQ_COMMUNITY, NQ_COMMUNITY_2))
    total = summary.total
    assert (total.found, total.cleared, total.still_open, total.overdue) == (3, 1, 3, 2)

    # At an earlier end: the one cleared 50 days ago was open then.
    earlier = hazard_summary(user=persona("nanqiao"), unit=unit(NQ_COMMUNITY), start=days(-60), end=days(-55))
    [row] = earlier.rows
    assert (row.found, row.cleared, row.still_open, row.overdue) == (1, 0, 1, 0)

    grid = hazard_summary(user=persona("grid-nq"), unit=unit(NQ_GRID), start=start, end=end)
    assert [(r.found, r.cleared, r.still_open, r.overdue) for r in grid.rows] == [(1, 1, 1, 1)]
    assert hazard_summary(user=persona("grid-tq"), unit=unit(NANQIAO), start=start, end=end).rows == []


def test_the_district_summary_names_each_community_with_its_station(persona):
    make_hazard(persona, "nanqiao", NQ_GRID, "区级统计")
    summary = hazard_summary(user=persona("admin"), unit=unit("310120"), start=days(-1), end=days(0))
    row = next(r for r in summary.rows if r.unit and r.unit.path == NQ_COMMUNITY)
    assert row.label.startswith("南桥 · ")
    assert summary.total.found == 1


# Reminders (`linli tick`), once each.


def _texts(username: str, needle: str) -> list[str]:
    return list(
        Notification.objects.filter(
            recipient__username=username, channel="database", text__contains=needle
        ).values_list("text", flat=True)
    )


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
