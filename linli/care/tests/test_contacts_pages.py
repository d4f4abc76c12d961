"""Logging a contact through the pages, per persona: the form, its checks, where it leads back."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import Contact, KeyPerson
from linli.care.services.contacts import contact_log
from linli.care.tests.test_worklists_pages import _body, make_key_persons
from linli.conftest import NANQIAO
from linli.core.errors import ServiceError
from linli.core.limits import text_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def _local_input(when: datetime.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_contact_form_defaults_to_now_in_shanghai(client_for, people):
    response = client_for("grid-nq").get(f"/care/key-persons/{people['wang'].pk}/contacts/new/")
    body = _body(response)
    assert response.status_code == 200
    now = timezone.localtime()
    assert f'value="{now:%Y-%m-%d}T' in body
    for label in ("上门", "电话", "微信", "视频", "联系上", "未联系上", "发现需求", "发现隐患", "同行人员"):
        assert label in body


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_contact_form_is_403_read_only_and_404_out_of_scope(client_for, people, username, status):
    url = f"/care/key-persons/{people['wang'].pk}/contacts/new/"
    client = client_for(username)
    assert client.get(url).status_code == status
    data = {"kind": "visit", "reached": "1", "occurred_at": _local_input(timezone.now())}
    assert client.post(url, data).status_code == status
    assert not Contact.objects.exists()


def test_logging_a_visit_takes_the_person_off_the_list(client_for, people):
    client = client_for("grid-nq")
    wang = people["wang"]
    response = client.post(
        f"/care/key-persons/{wang.pk}/contacts/new/",
        {
            "kind": "visit", "reached": "1", "occurred_at": _local_input(timezone.now()),
            "outcome": " 身体还好 ", "needs_found": "需要助餐", "hazards_found": "燃气软管老化",
            "companions": "社区民警",
        },
        follow=True,
    )  # fmt: skip
    body = _body(response)
    assert response.redirect_chain == [("/care/", 302)]
    assert "已登记与试王老的上门联系" in body
    assert 'class="who" href="/care/key-persons/' + str(wang.pk) not in body
    assert "试李童" in body
    contact = Contact.objects.get()
    assert (contact.outcome, contact.needs_found, contact.hazards_found) == (
        "身体还好",
        "需要助餐",
        "燃气软管老化",
    )
    assert contact.recorded_by.username == "grid-nq"
    wang.refresh_from_db()
    assert wang.next_contact_due == timezone.localdate() + datetime.timedelta(days=wang.cadence_days)
    assert AuditEvent.objects.filter(action="contact.log", object_id=str(contact.pk)).exists()


def test_nobody_home_keeps_the_person_on_the_list(client_for, people):
    client = client_for("grid-nq")
    response = client.post(
        f"/care/key-persons/{people['wang'].pk}/contacts/new/",
        {"kind": "visit", "reached": "0", "occurred_at": _local_input(timezone.now()), "outcome": "家中无人"},
        follow=True,
    )
    body = _body(response)
    assert "未联系上试王老，仍在待联系名单中" in body
    assert "逾期 3 天" in body


def test_an_emergency_puts_the_person_at_the_top(client_for, people):
    client = client_for("grid-nq")
    client.post(
        f"/care/key-persons/{people['li'].pk}/contacts/new/",
        {"kind": "phone", "reached": "1", "occurred_at": _local_input(timezone.now()), "is_emergency": "on"},
    )
    body = _body(client.get("/care/"))
    assert body.index("试李童") < body.index("试王老")


def test_a_back_dated_contact_is_read_as_shanghai_time(client_for, people):
    client = client_for("grid-nq")
    day = timezone.localdate() - datetime.timedelta(days=2)
    client.post(
        f"/care/key-persons/{people['wang'].pk}/contacts/new/",
        {"kind": "phone", "reached": "1", "occurred_at": f"{day:%Y-%m-%d}T23:30"},
    )
    contact = Contact.objects.get()
    local = timezone.localtime(contact.occurred_at, timezone.get_default_timezone())
    assert (local.date(), local.hour, local.minute) == (day, 23, 30)
    assert contact.occurred_at.utcoffset() is not None
    people["wang"].refresh_from_db()
    assert people["wang"].next_contact_due == day + datetime.timedelta(days=people["wang"].cadence_days)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"occurred_at": "__old__"}, "只能补登两周以内的联系"),
        ({"occurred_at": "__future__"}, "联系时间不能晚于现在"),
        ({"occurred_at": "昨天"}, "联系时间格式不正确"),
        ({"occurred_at": ""}, "请填写联系时间"),
        ({"kind": "letter"}, "选择一个有效的选项"),
    ],
)
def test_bad_contacts_are_refused_in_chinese(client_for, people, data, message):
    now = timezone.now()
    values = {"kind": "visit", "reached": "1", "occurred_at": _local_input(now), **data}
    if values["occurred_at"] == "__old__":
        values["occurred_at"] = _local_input(now - datetime.timedelta(days=15))
    if values["occurred_at"] == "__future__":
        values["occurred_at"] = _local_input(now + datetime.timedelta(hours=3))
    response = client_for("grid-nq").post(f"/care/key-persons/{people['wang'].pk}/contacts/new/", values)
    assert response.status_code == 200
    assert message in _body(response)
    assert not Contact.objects.exists()


def test_after_logging_from_a_unit_page_it_goes_back_there(client_for, people):
    client = client_for("nanqiao")
    url = f"/care/key-persons/{people['wang'].pk}/contacts/new/"
    back = f"/care/units/{NANQIAO}/?page=1"
    data = {"kind": "phone", "reached": "1", "occurred_at": _local_input(timezone.now()), "next": back}
    response = client.post(url, data)
    assert response["Location"] == back
    data["next"] = "https://example.com/care/"
    assert client.post(url, data)["Location"] == "/care/"


@pytest.mark.parametrize("field", ["outcome", "needs_found", "hazards_found", "companions"])
def test_too_long_notes_are_refused_alike_everywhere(client_for, api_for, persona, people, field):
    """One limit (the model field's max_length), one message, and nothing truncated anywhere."""
    limit = text_limit(Contact, field)
    message = f"最多 {limit} 字"
    wang = people["wang"]
    too_long = "长" * (limit + 1)
    note: dict[str, Any] = {field: too_long}
    exact: dict[str, Any] = {field: f" {'长' * limit} "}

    page = client_for("grid-nq").post(
        f"/care/key-persons/{wang.pk}/contacts/new/",
        {"kind": "visit", "reached": "1", "occurred_at": _local_input(timezone.now()), field: too_long},
    )
    assert page.status_code == 200
    assert message in _body(page)

    api = api_for("grid-nq").post(
        f"/api/v1/key-persons/{wang.pk}/contacts",
        json.dumps({"kind": "visit", field: too_long}),
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["msg"] == message
    assert field in api.json()["errors"][0]["loc"]

    with pytest.raises(ServiceError) as refused:
        contact_log(
            actor=persona("grid-nq"), key_person=wang, occurred_at=timezone.now(), kind="visit",
            **note,
        )  # fmt: skip
    assert (refused.value.message, refused.value.field) == (message, field)

    # Exactly the limit, with spaces around it, is taken whole, stripped.
    contact = contact_log(
        actor=persona("grid-nq"), key_person=wang, occurred_at=timezone.now(), kind="visit",
        **exact,
    )  # fmt: skip
    assert getattr(contact, field) == "长" * limit
    assert Contact.objects.count() == 1
