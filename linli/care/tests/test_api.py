"""The /api/v1/ care endpoints per persona: scoped, masked, 403 for read-only roles, Chinese errors."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import Contact, KeyPerson
from linli.care.tests.test_pages import ELDER_PHONE, GUARDIAN_PHONE, make_key_persons
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2

pytestmark = pytest.mark.django_db

ALL = {"试王老", "试李童", "试张孕", "试赵急", "试陈头"}


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [r["name"] for r in response.json()["items"] if r["name"].startswith("试")]


def _post(client: Any, key_person: KeyPerson, **body: Any) -> Any:
    return client.post(
        f"/api/v1/key-persons/{key_person.pk}/contacts", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/key-persons", "/api/v1/key-persons/1", "/api/v1/worklists/contacts-due"]
)
def test_care_endpoints_need_a_token(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid-nq", {"试王老", "试李童", "试张孕"}),
        ("officer-nq", {"试王老", "试李童", "试张孕", "试赵急"}),
        ("nanqiao", {"试王老", "试李童", "试张孕", "试赵急"}),
        ("auditor", ALL),
        ("grid-tq", {"试陈头"}),
        ("zhian", set()),  # a department sees no key persons
        ("angsu", set()),
    ],
)
def test_key_person_list_is_scoped_and_masked(api_for, people, username, expected):
    response = api_for(username).get("/api/v1/key-persons?page_size=200")
    assert set(_names(response)) == expected
    text = response.content.decode()
    assert ELDER_PHONE not in text
    if "试王老" in expected:
        row = next(r for r in response.json()["items"] if r["name"] == "试王老")
        assert row["phone"] == "138****5678"
        if username == "auditor":  # no VIEW_HEALTH: the health categories are withheld
            assert [c["label"] for c in row["categories"]] == ["独居老人"]
            assert row["health_visible"] is False
        else:
            assert [c["label"] for c in row["categories"]] == ["独居老人", "残疾人"]
            assert row["categories"][1]["disability_grade"] == 2
        assert (row["risk_level"], row["risk_level_label"], row["days_overdue"]) == ("medium", "中", 3)
        assert row["responsible"]["name"] == str(people["wang"].responsible)


def test_key_person_list_narrows_to_a_unit_and_paginates(api_for, people):
    client = api_for("nanqiao")
    assert _names(client.get(f"/api/v1/key-persons?unit={NQ_GRID_2}")) == ["试赵急"]
    assert set(_names(client.get(f"/api/v1/key-persons?unit={NQ_COMMUNITY}"))) == ALL - {"试陈头"}
    page = client.get(f"/api/v1/key-persons?unit={NQ_GRID}&page_size=2&page=2").json()
    assert (page["count"], page["page"], page["page_size"], len(page["items"])) == (3, 2, 2, 1)
    assert client.get("/api/v1/key-persons?unit=310120.09").status_code == 404
    assert api_for("grid-nq").get(f"/api/v1/key-persons?unit={NQ_COMMUNITY}").status_code == 404
    assert api_for("zhian").get(f"/api/v1/key-persons?unit={NANQIAO}").status_code == 404


def test_key_person_detail_has_pairing_and_masked_guardians(api_for, people, persona):
    response = api_for("grid-nq").get(f"/api/v1/key-persons/{people['wang'].pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "试王老"
    assert data["guardians"] == [{"name": "王女儿", "relation": "女儿", "phone": "139****1234"}]
    assert data["backup"]["name"] == str(persona("squad-nq"))
    assert (data["needs_note"], data["is_active"], data["cadence_days"]) == ("腿脚不便", True, 7)
    assert GUARDIAN_PHONE not in response.content.decode()


@pytest.mark.parametrize("username", ["grid-tq", "touqiao", "zhian", "angsu"])
def test_key_person_detail_and_contacts_outside_scope_are_404(api_for, people, username):
    client = api_for(username)
    for url in [
        f"/api/v1/key-persons/{people['wang'].pk}",
        f"/api/v1/key-persons/{people['wang'].pk}/contacts",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到"}
    assert api_for("admin").get("/api/v1/key-persons/999999").status_code == 404


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


def test_my_worklist_puts_the_most_overdue_first(api_for, people):
    response = api_for("grid-nq").get("/api/v1/worklists/contacts-due?mine=true")
    assert _names(response) == ["试王老", "试李童"]
    assert [r["days_overdue"] for r in response.json()["items"]] == [3, 0]
    assert _names(api_for("squad-nq").get("/api/v1/worklists/contacts-due?mine=true")) == ["试王老"]
    assert _names(api_for("grid-tq").get("/api/v1/worklists/contacts-due?mine=true")) == ["试陈头"]
    assert _names(api_for("zhian").get("/api/v1/worklists/contacts-due")) == []


def test_a_units_worklist_has_the_emergency_on_top(api_for, people):
    client = api_for("nanqiao")
    response = client.get(f"/api/v1/worklists/contacts-due?unit={NANQIAO}")
    assert _names(response) == ["试赵急", "试王老", "试李童"]
    assert response.json()["items"][0]["emergency_at"] is not None
    assert _names(client.get(f"/api/v1/worklists/contacts-due?unit={NQ_GRID_2}")) == ["试赵急"]
    assert api_for("grid-nq").get(f"/api/v1/worklists/contacts-due?unit={NANQIAO}").status_code == 404


def test_the_worklist_on_a_later_day(api_for, people):
    later = timezone.localdate() + datetime.timedelta(days=5)
    response = api_for("grid-nq").get(f"/api/v1/worklists/contacts-due?mine=true&on={later.isoformat()}")
    assert _names(response) == ["试王老", "试李童", "试张孕"]
    assert [r["days_overdue"] for r in response.json()["items"]] == [8, 5, 0]
    bad = api_for("grid-nq").get("/api/v1/worklists/contacts-due?on=11月1日")
    assert bad.status_code == 422
    assert "日期格式应为 YYYY-MM-DD" in bad.content.decode()
