"""Key persons, their cadence and contacts; the worklists that follow from them (C1, C3, C4, C5)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import Contact, KeyPerson
from linli.care.selectors.key_persons import get_key_person_for_user
from linli.care.selectors.worklists import contacts_due, key_persons_without_member
from linli.care.services.cadence_rules import cadence_days, cadence_rule_set
from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import (
    CategoryInput,
    key_person_enrol,
    key_person_reassign,
    member_hand_over,
)
from linli.conftest import NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.core.errors import ServiceError
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _resident(n: int, path: str = NQ_GRID) -> Resident:
    id_number = make_id_number("310120", datetime.date(1940, 1, 1), 2 * n + 1, "M")
    return Resident.objects.create(
        name=f"老人{n}",
        document_kind="id_card",
        id_number=id_number,
        residence_type="registered",
        unit_path=path,
    )


@pytest.fixture
def elder(persona):
    return key_person_enrol(
        actor=persona("officer-nq"), resident=_resident(1), categories=[CategoryInput("living_alone")],
        responsible=persona("grid-nq"), guardians=[("王女儿", "女儿", "13900000001")],
    )  # fmt: skip


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_enrolment_sets_cadence_pairs_and_audits(elder, persona):
    assert elder.cadence_days == 7
    assert elder.next_contact_due == timezone.localdate()
    assert elder.responsible == persona("grid-nq")
    assert elder.guardians.get().phone == "13900000001"
    assert AuditEvent.objects.filter(action="key_person.enrol", object_id=str(elder.pk)).exists()


@pytest.mark.parametrize(
    ("categories", "risk", "days"),
    [
        (["living_alone"], "low", 7),
        (["living_alone"], "high", 3),
        (["dementia_wandering"], "low", 3),
        (["dementia_wandering", "critically_ill"], "low", 2),
        (["pregnant"], "high", 2),
        (["pregnant"], "medium", 7),
    ],
)
def test_cadence_follows_the_shortest_rule(categories, risk, days):
    assert cadence_days(categories=categories, risk_level=risk) == days


def test_enrolment_refuses_bad_input(persona):
    resident = _resident(2)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"categories": []}, "至少选择"),
        ({"categories": [CategoryInput("disabled")]}, "残疾等级"),
        ({"categories": [CategoryInput("pregnant")]}, "预产期"),
        ({"categories": [CategoryInput("living_alone")], "responsible": persona("grid-tq")}, "结对责任人"),
        ({"categories": [CategoryInput("living_alone")], "risk_level": "extreme"}, "风险等级"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ServiceError, match=message):
            key_person_enrol(actor=persona("nanqiao"), resident=resident, **kwargs)
    with pytest.raises(ServiceError, match="权限"):
        key_person_enrol(
            actor=persona("grid-nq"), resident=resident, categories=[CategoryInput("living_alone")]
        )
    assert not KeyPerson.objects.exists()


def test_a_reached_contact_moves_the_due_date_by_its_local_day(elder, persona):
    # 23:30 in Shanghai is 15:30 UTC the same day: the contact counts for the Shanghai date.
    today = timezone.localdate()
    late = _at(today, 0, 5) if timezone.localtime().hour < 1 else _at(today, 0, 30)
    contact_log(actor=persona("grid-nq"), key_person=elder, occurred_at=late, kind="visit")
    elder.refresh_from_db()
    assert elder.next_contact_due == today + datetime.timedelta(days=7)
    yesterday_night = _at(today - datetime.timedelta(days=1), 23, 30)
    other = key_person_enrol(
        actor=persona("nanqiao"), resident=_resident(3), categories=[CategoryInput("empty_nest")]
    )
    contact_log(actor=persona("nanqiao"), key_person=other, occurred_at=yesterday_night, kind="phone")
    other.refresh_from_db()
    assert other.next_contact_due == today + datetime.timedelta(days=6)


def test_nobody_home_does_not_count(elder, persona):
    due = elder.next_contact_due
    contact_log(
        actor=persona("grid-nq"), key_person=elder, occurred_at=timezone.now(), kind="visit", reached=False
    )
    elder.refresh_from_db()
    assert elder.next_contact_due == due
    assert elder.last_contact_at is None
    assert Contact.objects.get().reached is False


def test_a_late_entry_never_moves_the_due_date_back(elder, persona):
    now = timezone.now()
    contact_log(actor=persona("grid-nq"), key_person=elder, occurred_at=now, kind="visit")
    elder.refresh_from_db()
    due = elder.next_contact_due
    contact_log(
        actor=persona("grid-nq"), key_person=elder, occurred_at=now - datetime.timedelta(days=5), kind="phone"
    )
    elder.refresh_from_db()
    assert elder.next_contact_due == due
    assert elder.last_contact_at == now


def test_contact_times_are_checked(elder, persona):
    for when, message in [
        (timezone.now() + datetime.timedelta(hours=2), "晚于现在"),
        (timezone.now() - datetime.timedelta(days=30), "两周以内"),
        (datetime.datetime(2026, 1, 1, 9, 0), "时区"),
    ]:
        with pytest.raises(ServiceError, match=message):
            contact_log(actor=persona("grid-nq"), key_person=elder, occurred_at=when, kind="visit")
    with pytest.raises(ServiceError, match="权限"):
        contact_log(actor=persona("grid-tq"), key_person=elder, occurred_at=timezone.now(), kind="visit")
    with pytest.raises(ServiceError, match="权限"):
        contact_log(actor=persona("auditor"), key_person=elder, occurred_at=timezone.now(), kind="visit")


def test_a_cadence_changed_mid_week_applies_from_the_next_contact(elder, persona):
    contact_log(actor=persona("grid-nq"), key_person=elder, occurred_at=timezone.now(), kind="visit")
    elder.refresh_from_db()
    due_before = elder.next_contact_due
    cadence_rule_set(actor=persona("admin"), category="living_alone", risk_level="", interval_days=4)
    elder.refresh_from_db()
    assert (elder.cadence_days, elder.next_contact_due) == (4, due_before)
    contact_log(actor=persona("grid-nq"), key_person=elder, occurred_at=timezone.now(), kind="phone")
    elder.refresh_from_db()
    assert elder.next_contact_due == max(due_before, timezone.localdate() + datetime.timedelta(days=4))
    with pytest.raises(ServiceError, match="区级管理员"):
        cadence_rule_set(actor=persona("nanqiao"), category="", risk_level="", interval_days=5)


def test_worklists_put_emergencies_first_then_most_overdue_then_risk(persona):
    today = timezone.localdate()
    actor = persona("nanqiao")
    people = [
        key_person_enrol(
            actor=actor, resident=_resident(10 + i), categories=[CategoryInput("empty_nest")], risk_level=risk
        )
        for i, risk in enumerate(["low", "high", "low", "medium"])
    ]
    KeyPerson.objects.filter(pk=people[0].pk).update(next_contact_due=today - datetime.timedelta(days=3))
    KeyPerson.objects.filter(pk=people[2].pk).update(next_contact_due=today + datetime.timedelta(days=2))
    contact_log(
        actor=actor, key_person=people[3], occurred_at=timezone.now(), kind="phone", is_emergency=True
    )
    order = list(contacts_due(user=actor, on=today).values_list("pk", flat=True))
    assert order == [people[3].pk, people[0].pk, people[1].pk]
    assert list(contacts_due(user=persona("grid-tq"), on=today)) == []
    community = Unit.objects.get(code=NQ_COMMUNITY)
    assert contacts_due(user=persona("officer-nq"), on=today, unit=community).count() == 3


def test_my_list_is_the_members_own_people(elder, persona):
    today = timezone.localdate()
    assert list(contacts_due(user=persona("grid-nq"), on=today, mine=True)) == [elder]
    assert list(contacts_due(user=persona("squad-nq"), on=today, mine=True)) == []


def test_reassign_and_hand_over_leave_nobody_without_a_member(elder, persona):
    with pytest.raises(ServiceError, match="调整原因"):
        key_person_reassign(
            actor=persona("nanqiao"), key_person=elder, responsible=persona("squad-nq"), reason=""
        )
    key_person_reassign(actor=persona("nanqiao"), key_person=elder, responsible=None, reason="网格员离职")
    assert list(key_persons_without_member(user=persona("nanqiao"))) == [elder]
    key_person_reassign(
        actor=persona("nanqiao"), key_person=elder, responsible=persona("grid-nq"), reason="重新结对"
    )
    moved = member_hand_over(
        actor=persona("nanqiao"), member=persona("grid-nq"), to=persona("squad-nq"), reason="调岗"
    )
    assert moved == 1
    elder.refresh_from_db()
    assert elder.responsible == persona("squad-nq")
    assert AuditEvent.objects.filter(action="key_person.reassign").count() == 3


def test_access_is_404_outside_scope(elder, persona):
    assert get_key_person_for_user(persona("grid-nq"), elder.pk) == elder
    for username in ["grid-tq", "zhian", "angsu"]:
        with pytest.raises(Http404):
            get_key_person_for_user(persona(username), elder.pk)
    outsider = key_person_enrol(
        actor=persona("touqiao"), resident=_resident(99, TQ_GRID), categories=[CategoryInput("living_alone")]
    )
    with pytest.raises(Http404):
        get_key_person_for_user(persona("nanqiao"), outsider.pk)


def test_receivers_of_a_logged_contact_run_in_its_transaction(elder, persona):
    """The seam to needs and safety (linli.care.signals): what a receiver refuses undoes the contact."""
    from linli.care.models import Contact
    from linli.care.signals import contact_logged

    seen: list[int] = []

    def refuse(sender, *, actor, contact, **kwargs):
        seen.append(contact.pk)
        raise ServiceError("下游拒绝")

    due = elder.next_contact_due
    contact_logged.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(ServiceError, match="下游拒绝"):
            contact_log(actor=persona("grid-nq"), key_person=elder, occurred_at=timezone.now(), kind="visit")
    finally:
        contact_logged.disconnect(dispatch_uid="test-refuse")
    assert len(seen) == 1
    assert not Contact.objects.filter(pk=seen[0]).exists()
    elder.refresh_from_db()
    assert elder.next_contact_due == due
