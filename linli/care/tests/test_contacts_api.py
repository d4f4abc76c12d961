"""The /api/v1/ contact endpoints per persona: logging and listing contacts, 403 for read-only roles,
Chinese errors."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import Contact, KeyPerson
from linli.care.tests.test_key_persons_api import _names
from linli.care.tests.test_worklists_pages import make_key_persons

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def _post(client: Any, key_person: KeyPerson, **body: Any) -> Any:
    return client.post(
        f"/api/v1/key-persons/{key_person.pk}/contacts", json.dumps(body), content_type="application/json"
    )


def test_logging_a_contact_moves_the_due_date_and_lists_it(api_for, people):
    client = api_for("grid-nq")
    wang = people["wang"]
    response = _post(
        client, wang, kind="visit", outcome=" 身体还好 ", needs_found="需要助餐", companions="民警"
    )
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert (data["kind"], data["kind_label"], data["reached"], data["outcome"]) == (
        "visit",
        "上门",
        True,
        "身体还好",
    )
    wang.refresh_from_db()
    assert wang.next_contact_due == timezone.localdate() + datetime.timedelta(days=7)
    assert AuditEvent.objects.filter(action="contact.log", object_id=str(data["id"])).exists()
    listing = client.get(f"/api/v1/key-persons/{wang.pk}/contacts").json()
    assert [c["id"] for c in listing["items"]] == [data["id"]]
    assert listing["items"][0]["needs_found"] == "需要助餐"
    assert "试王老" not in _names(client.get("/api/v1/worklists/contacts-due?mine=true"))


def test_contacts_are_listed_newest_first(api_for, people):
    client = api_for("grid-nq")
    now = timezone.now()
    for hours, kind in [(30, "phone"), (2, "visit"), (10, "wechat")]:
        assert (
            _post(
                client,
                people["li"],
                kind=kind,
                occurred_at=(now - datetime.timedelta(hours=hours)).isoformat(),
            ).status_code
            == 201
        )
    kinds = [c["kind"] for c in client.get(f"/api/v1/key-persons/{people['li'].pk}/contacts").json()["items"]]
    assert kinds == ["visit", "wechat", "phone"]


def test_a_time_without_offset_is_shanghai_time(api_for, people):
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = _post(api_for("grid-nq"), people["wang"], kind="phone", occurred_at=f"{day:%Y-%m-%d}T23:30:00")
    assert response.status_code == 201
    local = timezone.localtime(Contact.objects.get().occurred_at, timezone.get_default_timezone())
    assert (local.date(), local.hour, local.minute) == (day, 23, 30)


def test_read_only_roles_get_403_and_outsiders_404(api_for, people):
    response = _post(api_for("auditor"), people["wang"], kind="visit")
    assert response.status_code == 403
    assert response.json() == {"detail": "没有权限执行此操作"}
    assert _post(api_for("grid-tq"), people["wang"], kind="visit").status_code == 404
    assert _post(api_for("zhian"), people["wang"], kind="visit").status_code == 404
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "letter"}, "联系方式应为"),
        ({"kind": "visit", "outcome": "长" * 501}, "最多 500 字"),
        ({"kind": "visit", "occurred_at": "__old__"}, "只能补登两周以内的联系"),
        ({"kind": "visit", "occurred_at": "__future__"}, "联系时间不能晚于现在"),
    ],
)
def test_bad_contacts_get_chinese_errors(api_for, people, body, message):
    now = timezone.now()
    if body.get("occurred_at") == "__old__":
        body["occurred_at"] = (now - datetime.timedelta(days=15)).isoformat()
    if body.get("occurred_at") == "__future__":
        body["occurred_at"] = (now + datetime.timedelta(hours=2)).isoformat()
    response = _post(api_for("grid-nq"), people["wang"], **body)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Contact.objects.exists()
