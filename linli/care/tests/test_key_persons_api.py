"""The key-person endpoints of /api/v1/, per persona: the ledger as lists and details show it, putting a
resident on it and changing the pairing.

Care managers (squad leaders, community officers, station offices, district admins) may; grid workers and
auditors read the ledger but get 403; anyone outside the resident's or key person's units gets 404.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import KeyPerson
from linli.care.tests.test_worklists_pages import ELDER_PHONE, GUARDIAN_PHONE, _resident, make_key_persons
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db

NEW_PHONE = "13600002468"


@pytest.fixture
def resident() -> Resident:
    """Someone in grid-nq's grid, not yet on the ledger."""
    return _resident("试新入", NQ_GRID, datetime.date(1936, 4, 2), 21, sex="F", phone="13512340000")


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def _enrol(client: Any, **body: Any) -> Any:
    return client.post("/api/v1/key-persons", json.dumps(body), content_type="application/json")


def _reassign(client: Any, key_person: KeyPerson, **body: Any) -> Any:
    return client.post(
        f"/api/v1/key-persons/{key_person.pk}/reassign", json.dumps(body), content_type="application/json"
    )


def _body(resident: Resident, **extra: Any) -> dict[str, Any]:
    return {"resident_id": resident.pk, "categories": [{"category": "living_alone"}], **extra}


def test_enrolling_needs_a_token(client, resident):
    response = client.post(
        "/api/v1/key-persons", json.dumps(_body(resident)), content_type="application/json"
    )
    assert response.status_code == 401
    assert not KeyPerson.objects.exists()


def test_a_station_office_puts_a_resident_on_the_ledger(api_for, persona, resident):
    response = _enrol(
        api_for("nanqiao"),
        resident_id=resident.pk,
        categories=[
            {"category": "living_alone"},
            {"category": "disabled", "disability_grade": 2},
            {"category": "seriously_ill", "treatment": " 透析 "},
        ],
        risk_level="high",
        responsible_id=persona("grid-nq").pk,
        backup_id=persona("squad-nq").pk,
        needs_note=" 需要助餐 ",
        guardians=[{"name": "试女儿", "relation": "女儿", "phone": "136 0000 2468"}],
    )
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    key_person = KeyPerson.objects.get(resident=resident)
    assert (data["id"], data["resident_id"], data["name"]) == (key_person.pk, resident.pk, "试新入")
    assert [(c["label"], c["disability_grade"], c["treatment"]) for c in data["categories"]] == [
        ("独居老人", None, ""),
        ("残疾人", 2, ""),
        ("重病患者", None, "透析"),
    ]
    assert (data["risk_level_label"], data["needs_note"], data["days_overdue"]) == ("高", "需要助餐", 0)
    assert data["next_contact_due"] == timezone.localdate().isoformat()
    assert data["responsible"]["name"] == str(persona("grid-nq"))
    assert data["backup"]["name"] == str(persona("squad-nq"))
    # The guardian's phone is stored normalised and answered masked, like the resident's.
    assert data["guardians"] == [{"name": "试女儿", "relation": "女儿", "phone": "136****2468"}]
    assert data["phone"] == "135****0000"
    assert NEW_PHONE not in response.content.decode()
    assert key_person.guardians.get().phone == NEW_PHONE
    event = AuditEvent.objects.get(action="key_person.enrol")
    assert (event.actor_username, event.object_id, event.unit_path) == (
        "nanqiao",
        str(key_person.pk),
        NQ_GRID,
    )
    # The grid worker finds the new person on the list at once.
    due = api_for("grid-nq").get("/api/v1/worklists/contacts-due?mine=true").json()["items"]
    assert "试新入" in [row["name"] for row in due]


def test_a_pregnant_womans_due_date_comes_back(api_for, persona):
    resident = _resident("试孕新", NQ_GRID, datetime.date(1995, 2, 3), 22, sex="F")
    due = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    response = _enrol(
        api_for("officer-nq"),
        resident_id=resident.pk,
        categories=[{"category": "pregnant", "due_date": due}],
        risk_level="medium",
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["categories"][0]["due_date"] == due
    assert response.json()["responsible"] is None


@pytest.mark.parametrize("username", ["squad-nq", "officer-nq", "admin"])
def test_every_care_manager_over_the_grid_may_enrol(api_for, resident, username):
    assert _enrol(api_for(username), **_body(resident)).status_code == 201
    assert KeyPerson.objects.filter(resident=resident).exists()


@pytest.mark.parametrize("username", ["grid-nq", "auditor"])
def test_roles_that_only_read_the_ledger_get_403(api_for, persona, resident, username):
    response = _enrol(api_for(username), **_body(resident, responsible_id=persona("grid-nq").pk))
    assert response.status_code == 403
    assert response.json() == {"detail": "没有权限执行此操作"}
    assert not KeyPerson.objects.exists()


@pytest.mark.parametrize("username", ["grid-tq", "touqiao", "zhian", "angsu"])
def test_a_resident_outside_scope_is_404(api_for, resident, username):
    response = _enrol(api_for(username), **_body(resident))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到"}
    assert not KeyPerson.objects.exists()


def test_a_missing_resident_is_the_same_404(api_for):
    response = _enrol(api_for("admin"), resident_id=987654321, categories=[{"category": "living_alone"}])
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("extra", "message", "field"),
    [
        ({"categories": [{"category": "wizard"}]}, "类别无效：wizard", "categories"),
        ({"categories": []}, "请至少选择一个类别", "categories"),
        (
            {"categories": [{"category": "living_alone"}, {"category": "living_alone"}]},
            "类别无效或重复",
            "categories",
        ),
        ({"categories": [{"category": "disabled"}]}, "残疾人须填写残疾等级", "categories"),
        (
            {"categories": [{"category": "disabled", "disability_grade": 5}]},
            "残疾人须填写残疾等级",
            "categories",
        ),
        ({"categories": [{"category": "pregnant"}]}, "孕产妇须填写预产期", "categories"),
        ({"risk_level": "extreme"}, "风险等级应为", "risk_level"),
        ({"needs_note": "长" * 501}, "最多 500 字", "needs_note"),
        ({"guardians": [{"name": "试父", "phone": "12345"}]}, "监护人电话：12345是服务号码", "guardians"),
        ({"guardians": [{"name": " ", "phone": NEW_PHONE}]}, "请填写监护人姓名", "guardians"),
        (
            {"guardians": [{"name": f"试{n}", "phone": NEW_PHONE} for n in range(6)]},
            "最多登记 5 位监护人/紧急联系人",
            "guardians",
        ),
    ],
)
def test_bad_input_is_422_in_chinese(api_for, resident, extra, message, field):
    response = _enrol(api_for("nanqiao"), **_body(resident, **extra))
    assert response.status_code == 422, response.content.decode()
    data = response.json()
    assert message in data["errors"][0]["msg"]
    assert field in data["errors"][0]["loc"]
    assert not KeyPerson.objects.exists()


@pytest.mark.parametrize(
    ("member", "key"),
    [
        ("grid-tq", "responsible_id"),  # a grid worker of another station
        ("auditor", "responsible_id"),  # sees the grid, logs no contacts there
        ("zhian", "backup_id"),
    ],
)
def test_a_member_outside_the_unit_is_422(api_for, persona, resident, member, key):
    response = _enrol(api_for("nanqiao"), **_body(resident, **{key: persona(member).pk}))
    assert response.status_code == 422
    data = response.json()
    what = "结对责任人" if key == "responsible_id" else "备用联系人"
    assert data["detail"] == f"{what}须是在该网格负责联系工作的人员"
    assert data["errors"][0]["loc"] == ["body", key]
    assert not KeyPerson.objects.exists()


def test_an_unknown_member_id_is_the_same_422(api_for, resident):
    response = _enrol(api_for("nanqiao"), **_body(resident, responsible_id=987654321))
    assert response.status_code == 422
    assert response.json()["detail"] == "结对责任人须是在该网格负责联系工作的人员"


def test_the_same_member_cannot_be_backup(api_for, persona, resident):
    member = persona("grid-nq").pk
    response = _enrol(api_for("nanqiao"), **_body(resident, responsible_id=member, backup_id=member))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "loc": ["body", "backup_id"],
        "msg": "备用联系人不能与结对责任人相同",
    }


def test_a_resident_already_on_the_ledger_is_422(api_for, resident):
    client = api_for("nanqiao")
    assert _enrol(client, **_body(resident)).status_code == 201
    response = _enrol(client, **_body(resident, categories=[{"category": "empty_nest"}]))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"loc": ["body", "resident_id"], "msg": "该人员已在重点人员台账中"}
    assert KeyPerson.objects.count() == 1


def test_a_resident_who_moved_away_is_422(api_for, resident):
    Resident.objects.filter(pk=resident.pk).update(status=Resident.Status.MOVED_OUT)
    response = _enrol(api_for("nanqiao"), **_body(resident))
    assert response.status_code == 422
    assert "已迁出或死亡" in response.json()["detail"]


# Changing the pairing.


def test_a_community_officer_changes_the_pairing_with_a_reason(api_for, persona, people):
    wang = people["wang"]
    response = _reassign(
        api_for("officer-nq"),
        wang,
        responsible_id=persona("squad-nq").pk,
        backup_id=persona("grid-nq").pk,
        reason="网格员调岗",
    )
    assert response.status_code == 200, response.content.decode()
    data = response.json()
    assert (data["responsible"]["name"], data["backup"]["name"]) == (
        str(persona("squad-nq")),
        str(persona("grid-nq")),
    )
    wang.refresh_from_db()
    assert (wang.responsible, wang.backup) == (persona("squad-nq"), persona("grid-nq"))
    event = AuditEvent.objects.get(action="key_person.reassign")
    assert (event.actor_username, event.reason) == ("officer-nq", "网格员调岗")
    assert event.detail == {
        "from": [persona("grid-nq").pk, persona("squad-nq").pk],
        "to": [persona("squad-nq").pk, persona("grid-nq").pk],
    }


def test_unpairing_puts_the_person_on_the_handover_list(api_for, client_for, people):
    response = _reassign(api_for("nanqiao"), people["li"], responsible_id=None, reason="网格员离职")
    assert response.status_code == 200
    assert response.json()["responsible"] is None
    body = client_for("nanqiao").get(f"/care/units/{NQ_GRID}/").content.decode()
    assert "试李童" in body[body.index('id="unpaired"') : body.index('id="rates"')]


def test_the_responsible_member_must_be_named_even_to_unpair(api_for, people):
    response = _reassign(api_for("nanqiao"), people["li"], reason="网格员离职")
    assert response.status_code == 422
    assert "responsible_id" in response.json()["errors"][0]["loc"]


@pytest.mark.parametrize(
    ("reason", "member", "message", "field"),
    [
        ("  ", "squad-nq", "请填写调整原因", "reason"),
        ("长" * 201, "squad-nq", "最多 200 字", "reason"),
        ("调岗", "grid-tq", "结对责任人须是在该网格负责联系工作的人员", "responsible_id"),
    ],
)
def test_bad_reassignments_are_422_in_chinese(api_for, persona, people, reason, member, message, field):
    response = _reassign(api_for("nanqiao"), people["wang"], responsible_id=persona(member).pk, reason=reason)
    assert response.status_code == 422
    data = response.json()
    assert message in data["errors"][0]["msg"]
    assert field in data["errors"][0]["loc"]
    assert KeyPerson.objects.get(pk=people["wang"].pk).responsible == persona("grid-nq")


def test_reassigning_is_403_for_readers_and_404_outside_scope(api_for, persona, people):
    body = {"responsible_id": persona("squad-nq").pk, "reason": "调岗"}
    for username in ("grid-nq", "auditor"):
        response = _reassign(api_for(username), people["wang"], **body)
        assert response.status_code == 403
    for username, who in [
        ("grid-tq", "wang"),
        ("touqiao", "wang"),
        ("zhian", "wang"),
        ("officer-nq", "chen"),
    ]:
        assert _reassign(api_for(username), people[who], **body).status_code == 404
    assert _reassign(api_for("admin"), KeyPerson(pk=987654321), **body).status_code == 404
    assert not AuditEvent.objects.filter(action="key_person.reassign").exists()
    # A person in the next grid: squad-nq leads only grid-nq's grid, so may not be paired there.
    zhao = _reassign(api_for("nanqiao"), people["zhao"], **body)
    assert zhao.status_code == 422
    assert people["zhao"].unit_path == NQ_GRID_2


ALL = {"试王老", "试李童", "试张孕", "试赵急", "试陈头"}


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [r["name"] for r in response.json()["items"] if r["name"].startswith("试")]


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
