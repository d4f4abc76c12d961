"""Disputes (P1): logging, transfer to the community officer, mediation, the 7- and 30-day checks and
their reminders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import Http404

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.core.errors import ServiceError
from linli.notify.models import Notification
from linli.org.selectors.units import ReadOnlyAccess
from linli.safety.models import Dispute, DisputeCheck, DisputeEvent
from linli.safety.selectors.disputes import (
    dispute_checks_due,
    disputes_in,
    get_dispute_for_handling,
    get_dispute_for_user,
    transfer_candidates,
)
from linli.safety.selectors.places import community_officer_of
from linli.safety.services.disputes import (
    PartyInput,
    dispute_check_record,
    dispute_checks_remind,
    dispute_mediate,
    dispute_transfer,
)
from linli.safety.tests.conftest import days, log_dispute, unit

pytestmark = pytest.mark.django_db


def _notes_for(username: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient__username=username, channel="database").values_list(
            "text", flat=True
        )
    )


def _kinds(dispute: Dispute) -> list[str]:
    return list(dispute.events.order_by("at", "id").values_list("kind", flat=True))


def test_the_community_officer_is_found_from_a_grid_or_its_community(persona):
    assert community_officer_of(path=NQ_GRID) == persona("officer-nq")
    assert community_officer_of(path=NQ_COMMUNITY) == persona("officer-nq")
    assert getattr(community_officer_of(path=TQ_GRID), "username", None) == "mj-310120-09-001"
    assert community_officer_of(path=NANQIAO) is None


def test_a_dispute_not_settled_on_the_spot_goes_to_the_community_officer_who_is_told(noise, persona):
    assert noise.logged_by == persona("grid-nq")
    assert noise.owner == persona("officer-nq")
    assert noise.state == Dispute.State.OPEN
    assert _kinds(noise) == ["logged", "transferred"]
    transfer = noise.events.get(kind="transferred")
    assert (transfer.actor, transfer.to_user) == (persona("grid-nq"), persona("officer-nq"))
    [text] = _notes_for("officer-nq")
    assert "移交您跟进" in text
    assert "楼上夜间噪音扰民" in text
    assert "13812345678" not in text
    assert [p.phone for p in noise.parties.all()] == ["13812345678", "13900001234"]
    actions = set(AuditEvent.objects.filter(object_id=str(noise.pk)).values_list("action", flat=True))
    assert {"dispute.log", "dispute.transfer"} <= actions


def test_a_dispute_settled_on_the_spot_stays_with_its_handler_and_is_checked_at_7_and_30_days(persona):
    dispute = log_dispute(
        persona, "grid-nq", NQ_GRID, "晾衣滴水纠纷", occurred_on=days(-2), resolved_on_spot=True,
        outcome="楼上住户改用室内晾衣架",
    )  # fmt: skip
    assert dispute.owner == persona("grid-nq")
    assert dispute.state == Dispute.State.RESOLVED
    assert dispute.resolved_at is not None
    mediation = dispute.mediations.get()
    assert (mediation.on_the_spot, mediation.agreed, mediation.agreement_on) == (True, True, days(-2))
    assert mediation.agreement_parties == "张甲、李乙"
    checks = list(dispute.checks.order_by("due_on").values_list("days_after", "due_on", "state"))
    assert checks == [(7, days(5), "pending"), (30, days(28), "pending")]
    [text] = _notes_for("officer-nq")
    assert "当场化解" in text


def test_the_officer_logging_keeps_the_dispute_without_a_transfer(persona):
    dispute = log_dispute(persona, "officer-nq", NQ_COMMUNITY, "社区内遛狗不牵绳纠纷")
    assert dispute.owner == persona("officer-nq")
    assert _kinds(dispute) == ["logged"]
    assert _notes_for("officer-nq") == []


def test_an_agreement_resolves_the_dispute_and_schedules_checks_after_its_date(noise, persona):
    dispute_mediate(
        actor=persona("officer-nq"), dispute=noise, outcome="双方面对面调解", agreed=True,
        agreement_text="晚十点后不再使用跑步机", agreement_on=days(-1), agreement_parties="张甲、李乙",
    )  # fmt: skip
    noise.refresh_from_db()
    assert noise.state == Dispute.State.RESOLVED
    checks = noise.checks.order_by("due_on")
    assert [(c.days_after, c.due_on) for c in checks] == [(7, days(6)), (30, days(29))]
    assert {c.unit_path for c in checks} == {NQ_GRID}
    agreed = noise.events.get(kind="agreed")
    assert "晚十点后不再使用跑步机" in agreed.text
    assert "张甲、李乙" in agreed.text


def test_a_mediation_without_agreement_keeps_it_open_and_tells_the_owner(noise, persona):
    dispute_mediate(actor=persona("grid-nq"), dispute=noise, outcome="双方意见分歧较大", agreed=False)
    noise.refresh_from_db()
    assert noise.state == Dispute.State.OPEN
    assert not noise.checks.exists()
    assert noise.events.filter(kind="mediated").exists()
    assert any("未达成协议" in t for t in _notes_for("officer-nq"))


def test_a_held_check_keeps_the_agreement_and_cannot_be_recorded_twice(agreed, persona):
    seven = agreed.checks.get(days_after=7)
    dispute_check_record(actor=persona("officer-nq"), check=seven, held=True)
    seven.refresh_from_db()
    assert (seven.state, seven.checked_by) == (DisputeCheck.State.HELD, persona("officer-nq"))
    agreed.refresh_from_db()
    assert agreed.state == Dispute.State.RESOLVED
    with pytest.raises(ServiceError, match="已登记过"):
        dispute_check_record(actor=persona("officer-nq"), check=seven, held=True)


def test_a_broken_agreement_reopens_the_dispute_cancels_the_later_check_and_tells_the_owner(agreed, persona):
    seven = agreed.checks.get(days_after=7)
    Notification.objects.all().delete()
    dispute_check_record(actor=persona("grid-nq"), check=seven, held=False, note="楼上住户仍占用车位")
    agreed.refresh_from_db()
    assert agreed.state == Dispute.State.OPEN
    assert agreed.resolved_at is None
    assert agreed.checks.get(days_after=30).state == DisputeCheck.State.CANCELLED
    assert _kinds(agreed)[-2:] == ["check_broken", "reopened"]
    assert any("重新打开" in t for t in _notes_for("officer-nq"))
    with pytest.raises(ServiceError, match="已取消"):
        dispute_check_record(actor=persona("grid-nq"), check=agreed.checks.get(days_after=30), held=True)
    # Mediated again: a new agreement, new checks.
    dispute_mediate(
        actor=persona("officer-nq"), dispute=agreed, outcome="再次调解", agreed=True,
        agreement_text="重新划定车位", agreement_on=days(0), agreement_parties="张甲、李乙",
    )  # fmt: skip
    pending = agreed.checks.filter(state="pending").order_by("due_on")
    assert [c.due_on for c in pending] == [days(7), days(30)]


def test_a_broken_agreement_needs_a_note(agreed, persona):
    seven = agreed.checks.get(days_after=7)
    with pytest.raises(ServiceError, match="请填写回访情况"):
        dispute_check_record(actor=persona("grid-nq"), check=seven, held=False, note=" ")
    agreed.refresh_from_db()
    assert agreed.state == Dispute.State.RESOLVED


def test_a_resolved_dispute_is_not_mediated_again(agreed, persona):
    with pytest.raises(ServiceError, match="已化解"):
        dispute_mediate(actor=persona("officer-nq"), dispute=agreed, outcome="再调一次", agreed=False)


def test_transfer_goes_to_a_member_of_the_place_who_is_told(noise, persona):
    dispute_transfer(
        actor=persona("officer-nq"), dispute=noise, to=persona("squad-nq"), reason="请小分队协助"
    )
    noise.refresh_from_db()
    assert noise.owner == persona("squad-nq")
    assert any("请小分队协助" in t for t in _notes_for("squad-nq"))
    # Without `to`, back to the community officer.
    dispute_transfer(actor=persona("squad-nq"), dispute=noise)
    noise.refresh_from_db()
    assert noise.owner == persona("officer-nq")
    assert _kinds(noise).count("transferred") == 3
    with pytest.raises(ServiceError, match="已由"):
        dispute_transfer(actor=persona("grid-nq"), dispute=noise)
    with pytest.raises(ServiceError, match="只能移交给负责该网格或社区的人员"):
        dispute_transfer(actor=persona("grid-nq"), dispute=noise, to=persona("grid-tq"))
    with pytest.raises(ServiceError, match="只能移交给负责该网格或社区的人员"):
        dispute_transfer(actor=persona("grid-nq"), dispute=noise, to=persona("auditor"))


def test_transfer_candidates_are_the_officer_and_the_grid_and_community_members(noise, persona):
    names = {u.username for u in transfer_candidates(dispute=noise)}
    assert names == {"grid-nq", "squad-nq"}  # officer-nq owns it already
    noise.owner = persona("grid-nq")
    assert next(u.username for u in transfer_candidates(dispute=noise)) == "officer-nq"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"summary": "  "}, "请填写纠纷概况"),
        ({"parties": []}, "请至少填写一方当事人"),
        ({"parties": [PartyInput("", "13800000000")]}, "请填写当事人姓名"),
        ({"parties": [PartyInput("张甲", "电话号码")]}, "当事人张甲的电话号码格式不正确"),
        ({"occurred_on": days(1)}, "发生日期不能晚于今天"),
        ({"resolved_on_spot": True, "outcome": ""}, "请填写当场化解的情况"),
        ({"kind": "feud"}, "纠纷类型无效"),
        ({"path": NANQIAO}, "请选择网格或社区/村"),
    ],
)
def test_bad_disputes_are_refused_in_chinese(persona, kwargs, message):
    values = {"summary": "纠纷", **kwargs}
    path = values.pop("path", NQ_GRID)
    with pytest.raises(ServiceError, match=message):
        log_dispute(persona, "nanqiao", path, **values)
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agreement_on": None}, "达成协议的须填写协议日期"),
        ({"agreement_on": "tomorrow"}, "协议日期不能晚于今天"),
        ({"agreement_on": "before"}, "协议日期不能早于纠纷发生日期"),
        ({"agreement_text": " "}, "请填写协议内容"),
        ({"agreement_parties": ""}, "请填写协议各方姓名"),
        ({"outcome": ""}, "请填写调解情况"),
    ],
)
def test_bad_agreements_are_refused_in_chinese(noise, persona, kwargs, message):
    values: dict[str, Any] = {
        "outcome": "调解", "agreed": True, "agreement_text": "协议", "agreement_on": days(0),
        "agreement_parties": "张甲、李乙", **kwargs,
    }  # fmt: skip
    if values["agreement_on"] == "tomorrow":
        values["agreement_on"] = days(1)
    if values["agreement_on"] == "before":
        values["agreement_on"] = noise.occurred_on - datetime.timedelta(days=1)
    with pytest.raises(ServiceError, match=message):
        dispute_mediate(actor=persona("officer-nq"), dispute=noise, **values)
    noise.refresh_from_db()
    assert noise.state == Dispute.State.OPEN
    assert not noise.mediations.exists()


@pytest.mark.parametrize("username", ["auditor", "zhian", "grid-tq", "touqiao"])
def test_people_without_safety_work_there_cannot_write(noise, agreed, persona, username):
    actor = persona(username)
    with pytest.raises(ServiceError, match="权限"):
        log_dispute(persona, username, NQ_GRID, "越权登记")
    with pytest.raises(ServiceError, match="权限"):
        dispute_mediate(actor=actor, dispute=noise, outcome="x", agreed=False)
    with pytest.raises(ServiceError, match="权限"):
        dispute_transfer(actor=actor, dispute=noise, to=persona("squad-nq"))
    with pytest.raises(ServiceError, match="权限"):
        dispute_check_record(actor=actor, check=agreed.checks.first(), held=True)


def test_disputes_are_read_in_scope_only(noise, tq_dispute, persona):
    assert set(disputes_in(user=persona("grid-nq"))) == {noise}
    assert set(disputes_in(user=persona("grid-tq"))) == {tq_dispute}
    assert set(disputes_in(user=persona("auditor"))) == {noise, tq_dispute}
    assert not disputes_in(user=persona("zhian")).exists()
    assert not disputes_in(user=persona("nanqiao"), unit=unit(NQ_GRID_2)).exists()
    assert get_dispute_for_user(persona("squad-nq"), noise.pk) == noise
    for username in ("grid-tq", "zhian", "angsu"):
        with pytest.raises(Http404):
            get_dispute_for_user(persona(username), noise.pk)
    with pytest.raises(ReadOnlyAccess):
        get_dispute_for_handling(persona("auditor"), noise.pk)


def test_checks_due_are_listed_for_the_owner_and_the_unit(agreed, noise, persona):
    today = days(0)
    due = list(dispute_checks_due(user=persona("officer-nq"), on=today, mine=True))
    assert [(c.dispute, c.days_after) for c in due] == [(agreed, 7)]
    assert list(dispute_checks_due(user=persona("grid-nq"), on=today, mine=True)) == []
    assert len(dispute_checks_due(user=persona("grid-nq"), on=today, unit=unit(NQ_GRID))) == 1
    assert not dispute_checks_due(user=persona("nanqiao"), on=days(-1)).exists()
    assert len(dispute_checks_due(user=persona("nanqiao"), on=days(23))) == 2
    assert not dispute_checks_due(user=persona("grid-tq"), on=days(30)).exists()
    assert not dispute_checks_due(user=persona("zhian"), on=days(30)).exists()


def test_the_timeline_records_who_did_what(agreed, persona):
    events = list(agreed.events.order_by("at", "id"))
    assert [e.kind for e in events] == [
        DisputeEvent.Kind.LOGGED,
        DisputeEvent.Kind.TRANSFERRED,
        DisputeEvent.Kind.AGREED,
    ]
    assert events[2].actor == persona("officer-nq")
    assert "回访" in events[2].text


# Reminders (`linli tick`), once each.


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
