"""Dispute pages over HTTP, per persona: the register, a dispute (audited, phones masked), logging one,
transfer, mediation and checks; Chinese errors for bad input."""

from __future__ import annotations

from typing import Any

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.safety.models import Dispute, DisputeCheck
from linli.safety.tests.conftest import OTHER_PHONE, PARTY_PHONE, days

pytestmark = pytest.mark.django_db


def _body(response: Any) -> str:
    return response.content.decode()


def test_dispute_pages_require_login(client, noise):
    for url in [
        "/safety/",
        f"/safety/units/{NQ_GRID}/disputes/",
        f"/safety/units/{NQ_GRID}/disputes/new/",
        f"/safety/disputes/{noise.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("grid-nq", NQ_GRID),
        ("squad-nq", NQ_GRID),
        ("officer-nq", NQ_COMMUNITY),
        ("nanqiao", NANQIAO),
        ("auditor", NANQIAO),
        ("admin", "310120"),
    ],
)
def test_the_register_shows_the_units_disputes_inside_scope(
    client_for, noise, agreed, tq_dispute, username, code
):
    response = client_for(username).get(f"/safety/units/{code}/disputes/")
    body = _body(response)
    assert response.status_code == 200
    assert "楼上夜间噪音扰民" in body
    assert ("头桥宅基地边界纠纷" in body) == (username == "admin")
    assert "停车位占用纠纷" not in body.split('id="checks"')[0]  # resolved: not in the open list
    checks = body.split('id="checks"')[1]
    assert "停车位占用纠纷" in checks
    assert "协议后 7 天回访" in checks
    assert "今天到期" in checks
    assert PARTY_PHONE not in body


def test_the_register_filters_open_resolved_and_all(client_for, noise, agreed):
    client = client_for("grid-nq")
    resolved = _body(client.get(f"/safety/units/{NQ_GRID}/disputes/?state=resolved")).split('id="checks"')[0]
    assert "停车位占用纠纷" in resolved
    assert "楼上夜间噪音扰民" not in resolved
    everything = _body(client.get(f"/safety/units/{NQ_GRID}/disputes/?state=all")).split('id="checks"')[0]
    assert "停车位占用纠纷" in everything
    assert "楼上夜间噪音扰民" in everything


def test_read_only_users_see_no_log_button(client_for, noise):
    assert "登记纠纷" in _body(client_for("grid-nq").get(f"/safety/units/{NQ_GRID}/disputes/"))
    assert "登记纠纷" not in _body(client_for("auditor").get(f"/safety/units/{NQ_GRID}/disputes/"))


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("grid-tq", NQ_GRID),
        ("grid-nq", NQ_COMMUNITY),
        ("zhian", NANQIAO),
        ("zhian", "310120.B01"),
        ("admin", "x"),
    ],
)
def test_the_register_outside_scope_is_404(client_for, username, code):
    assert client_for(username).get(f"/safety/units/{code}/disputes/").status_code == 404


@pytest.mark.parametrize("username", ["grid-nq", "squad-nq", "officer-nq", "nanqiao", "auditor", "admin"])
def test_a_dispute_page_is_shown_inside_scope_masked_and_audited(client_for, noise, username):
    response = client_for(username).get(f"/safety/disputes/{noise.pk}/")
    body = _body(response)
    assert response.status_code == 200
    assert "楼上夜间噪音扰民" in body
    assert "138****5678" in body
    assert "139****1234" in body
    assert PARTY_PHONE not in body
    assert OTHER_PHONE not in body
    assert "处理经过" in body
    assert "移交" in body
    events = AuditEvent.objects.filter(action="dispute.view", object_id=str(noise.pk))
    assert list(events.values_list("actor_username", flat=True)) == [username]


@pytest.mark.parametrize("username", ["grid-tq", "touqiao", "zhian", "jingzhen", "angsu"])
def test_a_dispute_page_outside_scope_is_404(client_for, noise, username):
    response = client_for(username).get(f"/safety/disputes/{noise.pk}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="dispute.view").exists()


def test_the_auditor_reads_a_dispute_without_actions(client_for, agreed):
    body = _body(client_for("auditor").get(f"/safety/disputes/{agreed.pk}/"))
    assert "登记回访" not in body
    assert "登记调解" not in body
    assert "保存" not in body
    owner = _body(client_for("officer-nq").get(f"/safety/disputes/{agreed.pk}/"))
    assert "登记回访" in owner


# Logging a dispute.


def _new(**data: Any) -> dict[str, Any]:
    return {
        "unit": NQ_GRID, "kind": "neighbour", "occurred_on": days(0).isoformat(), "place": "3号楼",
        "summary": "楼道堆物引发争吵", "party_name_1": "周丁", "party_phone_1": "13700001111",
        "party_name_2": "吴戊", **data,
    }  # fmt: skip


def test_logging_a_dispute_hands_it_to_the_community_officer(client_for, persona):
    client = client_for("grid-nq")
    form = _body(client.get(f"/safety/units/{NQ_GRID}/disputes/new/"))
    for label in ("纠纷类型", "发生日期", "当事人", "已当场化解"):
        assert label in form
    response = client.post(f"/safety/units/{NQ_GRID}/disputes/new/", _new(), follow=True)
    dispute = Dispute.objects.get()
    assert response.redirect_chain == [(f"/safety/disputes/{dispute.pk}/", 302)]
    body = _body(response)
    assert f"已登记，并移交社区民警{persona('officer-nq')}跟进" in body
    assert "137****1111" in body
    assert dispute.owner == persona("officer-nq")
    assert [p.name for p in dispute.parties.all()] == ["周丁", "吴戊"]


def test_a_station_office_logs_in_one_of_its_grids(client_for):
    client = client_for("nanqiao")
    form = _body(client.get(f"/safety/units/{NANQIAO}/disputes/new/"))
    assert f'value="{NQ_COMMUNITY}"' in form
    assert f'value="{NQ_GRID}"' in form
    client.post(f"/safety/units/{NANQIAO}/disputes/new/", _new(unit=NQ_COMMUNITY))
    assert Dispute.objects.get().unit_path == NQ_COMMUNITY
    # A grid of another station is not a choice.
    response = client.post(f"/safety/units/{NANQIAO}/disputes/new/", _new(unit=TQ_GRID))
    assert "选择一个有效的选项" in _body(response)


def test_settled_on_the_spot_from_the_form(client_for):
    client = client_for("grid-nq")
    client.post(f"/safety/units/{NQ_GRID}/disputes/new/", _new(resolved_on_spot="on", outcome="双方互相道歉"))
    dispute = Dispute.objects.get()
    assert dispute.state == Dispute.State.RESOLVED
    assert dispute.checks.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"summary": ""}, "请填写纠纷概况"),
        ({"party_name_1": "", "party_phone_1": "", "party_name_2": ""}, "请至少填写一方当事人"),
        ({"party_phone_1": "call me"}, "当事人周丁的电话号码格式不正确"),
        ({"occurred_on": "__tomorrow__"}, "发生日期不能晚于今天"),
        ({"occurred_on": "昨天"}, "日期格式应为 YYYY-MM-DD"),
        ({"occurred_on": ""}, "请填写发生日期"),
        ({"resolved_on_spot": "on"}, "当场化解的请填写化解情况"),
        ({"kind": "feud"}, "选择一个有效的选项"),
    ],
)
def test_bad_disputes_are_refused_in_chinese(client_for, data, message):
    values = _new(**data)
    if values["occurred_on"] == "__tomorrow__":
        values["occurred_on"] = days(1).isoformat()
    response = client_for("grid-nq").post(f"/safety/units/{NQ_GRID}/disputes/new/", values)
    assert response.status_code == 200
    assert message in _body(response)
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_the_new_dispute_form_is_403_read_only_and_404_out_of_scope(client_for, username, status):
    client = client_for(username)
    url = f"/safety/units/{NQ_GRID}/disputes/new/"
    assert client.get(url).status_code == status
    assert client.post(url, _new()).status_code == status
    assert not Dispute.objects.exists()


# Acting on a dispute.


def test_mediation_with_an_agreement_from_the_page(client_for, noise):
    client = client_for("officer-nq")
    data = {
        "outcome": "面对面调解", "agreed": "1", "agreement_text": "晚十点后保持安静",
        "agreement_on": days(0).isoformat(), "agreement_parties": "张甲、李乙",
    }  # fmt: skip
    response = client.post(f"/safety/disputes/{noise.pk}/mediation/", data, follow=True)
    body = _body(response)
    assert "已登记调解协议" in body
    assert "晚十点后保持安静" in body
    noise.refresh_from_db()
    assert noise.state == Dispute.State.RESOLVED
    assert sorted(noise.checks.values_list("due_on", flat=True)) == [days(7), days(30)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"agreement_on": ""}, "达成协议的须填写协议日期"),
        ({"agreement_on": "__tomorrow__"}, "协议日期不能晚于今天"),
        ({"agreement_text": ""}, "请填写协议内容"),
        ({"outcome": ""}, "请填写调解情况"),
    ],
)
def test_bad_mediations_are_refused_in_chinese(client_for, noise, data, message):
    values = {
        "outcome": "调解", "agreed": "1", "agreement_text": "协议", "agreement_on": days(0).isoformat(),
        "agreement_parties": "张甲、李乙", **data,
    }  # fmt: skip
    if values["agreement_on"] == "__tomorrow__":
        values["agreement_on"] = days(1).isoformat()
    response = client_for("officer-nq").post(f"/safety/disputes/{noise.pk}/mediation/", values)
    assert response.status_code == 200
    body = _body(response)
    assert message in body
    assert '<details open id="mediation">' in body
    noise.refresh_from_db()
    assert noise.state == Dispute.State.OPEN


def test_a_broken_agreement_recorded_on_the_page_reopens_the_dispute(client_for, agreed):
    client = client_for("officer-nq")
    seven = agreed.checks.get(days_after=7)
    url = f"/safety/disputes/{agreed.pk}/checks/{seven.pk}/"
    prefix = f"c{seven.pk}"
    response = client.post(url, {f"{prefix}-held": "0", f"{prefix}-note": ""})
    assert response.status_code == 200
    assert "请填写回访情况" in _body(response)
    response = client.post(url, {f"{prefix}-held": "0", f"{prefix}-note": "又占了车位"}, follow=True)
    assert "纠纷已重新打开" in _body(response)
    agreed.refresh_from_db()
    assert agreed.state == Dispute.State.OPEN
    assert agreed.checks.get(days_after=30).state == DisputeCheck.State.CANCELLED
    response = client.post(url, {f"{prefix}-held": "1"}, follow=True)
    assert "这次回访已登记过" in _body(response)


def test_a_held_check_from_the_page(client_for, agreed):
    seven = agreed.checks.get(days_after=7)
    prefix = f"c{seven.pk}"
    client_for("grid-nq").post(
        f"/safety/disputes/{agreed.pk}/checks/{seven.pk}/",
        {f"{prefix}-held": "1", f"{prefix}-note": "已履行"},
    )
    seven.refresh_from_db()
    assert (seven.state, seven.note) == ("held", "已履行")


def test_transfer_from_the_page(client_for, noise, persona):
    client = client_for("officer-nq")
    squad = persona("squad-nq")
    body = _body(client.get(f"/safety/disputes/{noise.pk}/"))
    assert f'<option value="{squad.pk}">' in body
    response = client.post(
        f"/safety/disputes/{noise.pk}/transfer/", {"to": squad.pk, "reason": "请协助"}, follow=True
    )
    assert f"已移交{squad}跟进" in _body(response)
    noise.refresh_from_db()
    assert noise.owner == squad
    response = client.post(f"/safety/disputes/{noise.pk}/transfer/", {"to": persona("grid-tq").pk})
    assert "选择一个有效的选项" in _body(response)


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_actions_are_403_read_only_and_404_out_of_scope(client_for, agreed, persona, username, status):
    client = client_for(username)
    seven = agreed.checks.get(days_after=7)
    assert (
        client.post(f"/safety/disputes/{agreed.pk}/transfer/", {"to": persona("squad-nq").pk}).status_code
        == status
    )
    assert (
        client.post(f"/safety/disputes/{agreed.pk}/mediation/", {"outcome": "x", "agreed": "0"}).status_code
        == status
    )
    url = f"/safety/disputes/{agreed.pk}/checks/{seven.pk}/"
    assert client.post(url, {f"c{seven.pk}-held": "1"}).status_code == status
    seven.refresh_from_db()
    assert seven.state == "pending"


def test_a_check_of_another_dispute_is_404(client_for, agreed, noise):
    seven = agreed.checks.get(days_after=7)
    response = client_for("officer-nq").post(f"/safety/disputes/{noise.pk}/checks/{seven.pk}/", {})
    assert response.status_code == 404


# Both registers.


def test_the_registers_queries_do_not_grow_with_rows(client_for, persona, django_assert_max_num_queries):
    from linli.safety.tests.conftest import log_dispute, make_hazard

    client = client_for("nanqiao")
    for n in range(3):
        log_dispute(persona, "grid-nq", NQ_GRID, f"纠纷{n}")
        make_hazard(persona, "grid-nq", NQ_GRID, f"隐患{n}")
    with django_assert_max_num_queries(16) as first:
        client.get(f"/safety/units/{NANQIAO}/disputes/?state=all")
    with django_assert_max_num_queries(16):
        client.get(f"/safety/units/{NANQIAO}/hazards/?state=all")
    for n in range(10):
        log_dispute(persona, "squad-nq", NQ_GRID, f"更多纠纷{n}")
        make_hazard(persona, "squad-nq", NQ_GRID, f"更多隐患{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(f"/safety/units/{NANQIAO}/disputes/?state=all")
    with django_assert_max_num_queries(16):
        client.get(f"/safety/units/{NANQIAO}/hazards/?state=all")
