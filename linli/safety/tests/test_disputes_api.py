"""The /api/v1/ dispute endpoints per persona: scoped, masked, audited, 403 for read-only roles, 404 out
of scope, 422 with Chinese messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_GRID, TQ_GRID
from linli.safety.models import Dispute
from linli.safety.tests.conftest import PARTY_PHONE, days

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, **body: Any) -> Any:
    return client.post(f"/api/v1/{url}", json.dumps(body, default=str), content_type="application/json")


def _summaries(response: Any) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["summary"] for row in response.json()["items"]}


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


def test_too_long_text_is_refused_alike_on_the_page_form_and_the_api(api_for):
    from linli.core.limits import text_limit
    from linli.safety.forms.disputes import DisputeForm, TransferForm
    from linli.safety.models import TRANSFER_REASON_MAX_LENGTH

    limit = text_limit(Dispute, "summary")
    response = _post(api_for("grid-nq"), "disputes", **_dispute(summary="吵" * (limit + 1)))
    assert response.status_code == 422
    assert response.json()["detail"] == f"纠纷概况最多 {limit} 字"
    assert response.json()["errors"][0]["loc"] == ["body", "summary"]
    form = DisputeForm({"summary": "吵" * (limit + 1)}, places=[(NQ_GRID, "网格")])
    assert form.errors["summary"] == [f"纠纷概况最多 {limit} 字"]
    transfer = TransferForm({"reason": "因" * (TRANSFER_REASON_MAX_LENGTH + 1)}, candidates=[])
    assert transfer.errors["reason"] == [f"移交说明最多 {TRANSFER_REASON_MAX_LENGTH} 字"]
