"""The /api/v1/ hazard endpoints and the summary per persona: scoped, 403 for read-only roles, 404 out of
scope, 422 with Chinese messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.safety.models import Hazard
from linli.safety.tests.conftest import days, key_person_with_contact

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, **body: Any) -> Any:
    return client.post(f"/api/v1/{url}", json.dumps(body, default=str), content_type="application/json")


def _descriptions(response: Any) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["description"] for row in response.json()["items"]}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid-nq", {"试燃气软管老化", "试楼道电动车充电"}),
        ("auditor", {"试燃气软管老化", "试楼道电动车充电", "试头桥消防通道堵塞"}),
        ("grid-tq", {"试头桥消防通道堵塞"}),
        ("zhian", set()),
    ],
)
def test_the_open_hazard_list_is_scoped(api_for, hazards, username, expected):
    assert _descriptions(api_for(username).get("/api/v1/hazards?state=open")) == expected


def test_the_hazard_list_marks_and_filters_overdue(api_for, hazards):
    response = api_for("nanqiao").get(f"/api/v1/hazards?state=overdue&unit={NQ_COMMUNITY}")
    [row] = response.json()["items"]
    assert (row["description"], row["overdue"], row["state"]) == ("试楼道电动车充电", True, "open")
    cleared = api_for("nanqiao").get("/api/v1/hazards?state=cleared").json()["items"]
    assert [(r["description"], r["cleared_on"]) for r in cleared] == [("试电线私拉乱接", days(0).isoformat())]
    assert api_for("grid-nq").get(f"/api/v1/hazards?unit={TQ_GRID}").status_code == 404


def test_a_hazards_detail_and_its_rechecks(api_for, hazards):
    response = api_for("officer-nq").get(f"/api/v1/hazards/{hazards['cleared'].pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "cleared"
    assert [(r["cleared"], r["note"]) for r in data["rechecks"]] == [(True, "已整改")]
    for username in ("grid-tq", "zhian"):
        assert api_for(username).get(f"/api/v1/hazards/{hazards['cleared'].pk}").status_code == 404


def _hazard(**body: Any) -> dict[str, Any]:
    return {
        "unit": NQ_GRID, "kind": "fire", "risk_level": "high", "source": "report", "description": "楼道堵塞",
        "responsible_party": "安居物业", "deadline": days(3).isoformat(), **body,
    }  # fmt: skip


def test_logging_a_hazard_through_the_api(api_for, persona):
    response = _post(api_for("grid-nq"), "hazards", **_hazard())
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert (data["kind_label"], data["risk_level_label"], data["source_label"]) == ("消防", "高", "群众反映")
    assert (data["deadline"], data["overdue"], data["found_on"]) == (
        days(3).isoformat(),
        False,
        days(0).isoformat(),
    )


def test_a_hazard_linked_to_a_contact_through_the_api(api_for, persona):
    contact = key_person_with_contact(persona)
    response = _post(api_for("grid-nq"), "hazards", **_hazard(contact_id=contact.pk, source="check"))
    assert response.status_code == 201, response.content.decode()
    assert (response.json()["contact_id"], response.json()["source"]) == (contact.pk, "contact")
    response = _post(api_for("grid-tq"), "hazards", **_hazard(unit=TQ_GRID, contact_id=contact.pk))
    assert response.status_code == 422
    assert response.json()["detail"] == "未找到该联系记录"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"deadline": "__yesterday__"}, "整改期限不能早于今天"),
        ({"deadline": None}, "请填写整改期限"),
        ({"deadline": "下周五"}, "日期格式应为 YYYY-MM-DD"),
        ({"description": " "}, "请填写隐患描述"),
        ({"responsible_party": ""}, "请填写整改责任方"),
        ({"risk_level": "extreme"}, "风险等级应为 low（低）、medium（中）或 high（高）"),
        ({"kind": "ghost"}, "隐患类型应为"),
        ({"source": "rumour"}, "发现途径应为"),
        ({"sweep_id": 999999}, "未找到该排查行动"),
    ],
)
def test_bad_hazards_are_422_in_chinese(api_for, body, message):
    if body.get("deadline") == "__yesterday__":
        body = {"deadline": days(-1).isoformat()}
    response = _post(api_for("grid-nq"), "hazards", **_hazard(**body))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_writing_hazards_is_403_read_only_and_404_out_of_scope(api_for, hazards, username, status):
    client = api_for(username)
    assert _post(client, "hazards", **_hazard()).status_code == status
    assert _post(client, f"hazards/{hazards['open'].pk}/rechecks", cleared=True).status_code == status
    assert Hazard.objects.get(pk=hazards["open"].pk).state == "open"


def test_rechecks_through_the_api(api_for, hazards):
    client = api_for("grid-nq")
    url = f"hazards/{hazards['overdue'].pk}/rechecks"
    response = _post(client, url, cleared=False)
    assert response.status_code == 422
    assert response.json()["detail"] == "请填写复查情况"
    response = _post(client, url, cleared=False, note="材料已到", new_deadline=days(2).isoformat())
    assert response.status_code == 201
    assert (response.json()["deadline"], response.json()["overdue"]) == (days(2).isoformat(), False)
    response = _post(client, url, cleared=True, note="已清理")
    assert response.status_code == 201
    data = response.json()
    assert (data["state"], data["cleared_on"]) == ("cleared", days(0).isoformat())
    assert [r["cleared"] for r in data["rechecks"]] == [False, True]
    response = _post(client, url, cleared=True)
    assert response.status_code == 422
    assert response.json()["detail"] == "该隐患已整改销号，无需复查"


def test_the_summary_through_the_api(api_for, hazards):
    response = api_for("nanqiao").get(
        f"/api/v1/hazards/summary?unit={NANQIAO}&start={days(-30)}&end={days(0)}"
    )
    assert response.status_code == 200, response.content.decode()
    data = response.json()
    row = next(r for r in data["rows"] if r["unit_code"] == NQ_COMMUNITY)
    assert (row["found"], row["cleared"], row["still_open"], row["overdue"]) == (3, 1, 2, 1)
    assert data["total"]["found"] == 3
    response = api_for("nanqiao").get(f"/api/v1/hazards/summary?unit={NANQIAO}&end={days(1)}")
    assert response.status_code == 422
    assert response.json()["detail"] == "结束日期不能晚于今天"
    assert api_for("grid-tq").get(f"/api/v1/hazards/summary?unit={NANQIAO}").status_code == 404
