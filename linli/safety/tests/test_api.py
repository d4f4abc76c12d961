"""The /api/v1/ dispute and hazard endpoints per persona: scoped, masked, audited, 403 for read-only
roles, 404 out of scope, 422 with Chinese messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.safety.models import Dispute, Hazard
from linli.safety.tests.conftest import PARTY_PHONE, days, key_person_with_contact

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, **body: Any) -> Any:
    return client.post(f"/api/v1/{url}", json.dumps(body, default=str), content_type="application/json")


def _summaries(response: Any) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["summary"] for row in response.json()["items"]}


def _descriptions(response: Any) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["description"] for row in response.json()["items"]}


@pytest.mark.parametrize("url", ["disputes", "disputes/1", "hazards", "hazards/1", "disputes/checks-due"])
def test_the_endpoints_need_a_token(client, url):
    response = client.get(f"/api/v1/{url}")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid-nq", {"楼上夜间噪音扰民", "停车位占用纠纷"}),
        ("officer-nq", {"楼上夜间噪音扰民", "停车位占用纠纷"}),
        ("auditor", {"楼上夜间噪音扰民", "停车位占用纠纷", "头桥宅基地边界纠纷"}),
        ("grid-tq", {"头桥宅基地边界纠纷"}),
        ("zhian", set()),
        ("angsu", set()),
    ],
)
def test_the_dispute_list_is_scoped(api_for, noise, agreed, tq_dispute, username, expected):
    assert _summaries(api_for(username).get("/api/v1/disputes")) == expected


def test_the_dispute_list_filters_by_unit_and_state(api_for, noise, agreed, tq_dispute):
    client = api_for("nanqiao")
    assert _summaries(client.get("/api/v1/disputes?state=open")) == {"楼上夜间噪音扰民"}
    assert _summaries(client.get(f"/api/v1/disputes?state=resolved&unit={NQ_GRID}")) == {"停车位占用纠纷"}
    assert client.get(f"/api/v1/disputes?unit={TQ_GRID}").status_code == 404
    response = client.get("/api/v1/disputes?state=closed")
    assert response.status_code == 422
    assert "状态应为 open" in response.content.decode()


def test_a_disputes_detail_is_masked_and_its_reading_audited(api_for, agreed):
    response = api_for("grid-nq").get(f"/api/v1/disputes/{agreed.pk}")
    assert response.status_code == 200
    data = response.json()
    assert PARTY_PHONE not in response.content.decode()
    assert [p["phone"] for p in data["parties"]] == ["138****5678", "139****1234"]
    assert [e["kind"] for e in data["events"]] == ["logged", "transferred", "agreed"]
    assert data["owner"]["name"] == str(agreed.owner)
    assert [(c["days_after"], c["due_on"]) for c in data["checks"]] == [
        (7, days(0).isoformat()),
        (30, days(23).isoformat()),
    ]
    assert data["mediations"][0]["agreement_parties"] == "张甲、李乙"
    assert AuditEvent.objects.filter(action="dispute.view", actor_username="grid-nq").count() == 1


@pytest.mark.parametrize("username", ["grid-tq", "zhian", "jingzhen"])
def test_a_dispute_outside_scope_is_404(api_for, noise, username):
    response = api_for(username).get(f"/api/v1/disputes/{noise.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到"}


def _dispute(**body: Any) -> dict[str, Any]:
    return {
        "unit": NQ_GRID, "kind": "neighbour", "summary": "楼道堆物引发争吵",
        "parties": [{"name": "周丁", "phone": "13700001111"}, {"name": "吴戊"}], **body,
    }  # fmt: skip


def test_logging_a_dispute_through_the_api(api_for, persona):
    response = _post(api_for("grid-nq"), "disputes", **_dispute())
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert data["owner"]["id"] == persona("officer-nq").pk
    assert data["occurred_on"] == days(0).isoformat()
    assert data["parties"][0]["phone"] == "137****1111"
    assert [e["kind"] for e in data["events"]] == ["logged", "transferred"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"summary": ""}, "请填写纠纷概况"),
        ({"parties": []}, "请至少填写一方当事人"),
        ({"kind": "feud"}, "纠纷类型应为"),
        ({"occurred_on": "昨天"}, "日期格式应为 YYYY-MM-DD"),
        ({"occurred_on": "__tomorrow__"}, "发生日期不能晚于今天"),
        ({"resolved_on_spot": True}, "请填写当场化解的情况"),
        ({"unit": NANQIAO}, "请选择网格或社区/村"),
    ],
)
def test_bad_disputes_are_422_in_chinese(api_for, body, message):
    if body.get("occurred_on") == "__tomorrow__":
        body = {"occurred_on": days(1).isoformat()}
    response = _post(api_for("nanqiao"), "disputes", **_dispute(**body))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_writing_disputes_is_403_read_only_and_404_out_of_scope(api_for, agreed, username, status):
    client = api_for(username)
    before = Dispute.objects.count()
    assert _post(client, "disputes", **_dispute()).status_code == status
    assert _post(client, f"disputes/{agreed.pk}/mediation", outcome="x").status_code == status
    check = agreed.checks.get(days_after=7)
    assert _post(client, f"disputes/{agreed.pk}/checks/{check.pk}", held=True).status_code == status
    assert _post(client, f"disputes/{agreed.pk}/transfer").status_code == status
    assert Dispute.objects.count() == before
    check.refresh_from_db()
    assert check.state == "pending"


def test_mediation_and_checks_through_the_api(api_for, noise):
    Dispute.objects.filter(pk=noise.pk).update(occurred_on=days(-10))
    client = api_for("officer-nq")
    response = _post(client, f"disputes/{noise.pk}/mediation", outcome="调解", agreed=True)
    assert response.status_code == 422
    assert response.json()["detail"] == "达成协议的须填写协议日期"
    assert response.json()["errors"][0]["loc"] == ["body", "agreement_on"]
    response = _post(
        client, f"disputes/{noise.pk}/mediation", outcome="调解", agreed=True, agreement_text="保持安静",
        agreement_on=days(-7).isoformat(), agreement_parties="张甲、李乙",
    )  # fmt: skip
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert data["state"] == "resolved"
    seven = next(c for c in data["checks"] if c["days_after"] == 7)
    assert seven["due_on"] == days(0).isoformat()
    due = client.get("/api/v1/disputes/checks-due?mine=true").json()
    assert [c["id"] for c in due["items"]] == [seven["id"]]
    response = _post(client, f"disputes/{noise.pk}/checks/{seven['id']}", held=False)
    assert response.status_code == 422
    assert response.json()["detail"] == "请填写回访情况"
    response = _post(client, f"disputes/{noise.pk}/checks/{seven['id']}", held=False, note="又吵起来了")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "open"
    assert [c["state"] for c in data["checks"]] == ["broken", "cancelled"]
    assert data["events"][-1]["kind"] == "reopened"


def test_a_check_of_another_dispute_is_404(api_for, agreed, noise):
    check = agreed.checks.get(days_after=7)
    assert (
        _post(api_for("officer-nq"), f"disputes/{noise.pk}/checks/{check.pk}", held=True).status_code == 404
    )


def test_transfer_through_the_api(api_for, noise, persona):
    client = api_for("officer-nq")
    response = _post(client, f"disputes/{noise.pk}/transfer", to=persona("squad-nq").pk, reason="协助")
    assert response.status_code == 200
    assert response.json()["owner"]["id"] == persona("squad-nq").pk
    response = _post(client, f"disputes/{noise.pk}/transfer", to=persona("grid-tq").pk)
    assert response.status_code == 422
    assert response.json()["detail"] == "只能移交给负责该网格或社区的人员"


# Hazards.


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
