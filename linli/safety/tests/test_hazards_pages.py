"""Hazard pages over HTTP, per persona: the register, a hazard with its re-checks, logging one, and the
隐患清零 summary with its Excel export (opened again to check the figures)."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.org.models import Unit
from linli.safety.models import Hazard
from linli.safety.tests.conftest import days, make_hazard, move_deadline

pytestmark = pytest.mark.django_db


def _body(response: Any) -> str:
    return response.content.decode()


def _list(body: str) -> str:
    return body.split('id="list"')[1]


@pytest.mark.parametrize(
    ("username", "code"),
    [("grid-nq", NQ_GRID), ("officer-nq", NQ_COMMUNITY), ("nanqiao", NANQIAO), ("auditor", NANQIAO)],
)
def test_the_register_shows_open_hazards_most_urgent_first(client_for, hazards, username, code):
    response = client_for(username).get(f"/safety/units/{code}/hazards/")
    assert response.status_code == 200
    rows = _list(_body(response))
    assert rows.index("试楼道电动车充电") < rows.index("试燃气软管老化")
    assert "逾期 3 天" in rows
    assert "还有 5 天" in rows
    assert "试电线私拉乱接" not in rows
    assert "试头桥消防通道堵塞" not in rows


def test_the_register_filters_overdue_and_cleared(client_for, hazards):
    client = client_for("grid-nq")
    overdue = _list(_body(client.get(f"/safety/units/{NQ_GRID}/hazards/?state=overdue")))
    assert "试楼道电动车充电" in overdue
    assert "试燃气软管老化" not in overdue
    cleared = _list(_body(client.get(f"/safety/units/{NQ_GRID}/hazards/?state=cleared")))
    assert "试电线私拉乱接" in cleared
    assert "试燃气软管老化" not in cleared
    everything = _list(_body(client.get(f"/safety/units/{NQ_GRID}/hazards/?state=all")))
    for name in ("试楼道电动车充电", "试燃气软管老化", "试电线私拉乱接"):
        assert name in everything


@pytest.mark.parametrize(
    ("username", "code"), [("grid-tq", NQ_GRID), ("zhian", NANQIAO), ("grid-nq", TQ_GRID), ("angsu", NQ_GRID)]
)
def test_the_register_outside_scope_is_404(client_for, hazards, username, code):
    assert client_for(username).get(f"/safety/units/{code}/hazards/").status_code == 404


def test_a_hazard_page_shows_its_rechecks(client_for, hazards):
    body = _body(client_for("grid-nq").get(f"/safety/hazards/{hazards['cleared'].pk}/"))
    assert "试电线私拉乱接" in body
    assert "王丙（住户）" in body
    assert "已整改" in body
    assert "复查记录" in body
    assert "保存复查" not in body  # cleared: nothing left to re-check
    open_page = _body(client_for("grid-nq").get(f"/safety/hazards/{hazards['overdue'].pk}/"))
    assert "逾期 3 天" in open_page
    assert "保存复查" in open_page
    assert "保存复查" not in _body(client_for("auditor").get(f"/safety/hazards/{hazards['overdue'].pk}/"))


@pytest.mark.parametrize("username", ["grid-tq", "zhian", "touqiao"])
def test_a_hazard_page_outside_scope_is_404(client_for, hazards, username):
    assert client_for(username).get(f"/safety/hazards/{hazards['open'].pk}/").status_code == 404


def test_a_recheck_from_the_page_clears_the_hazard(client_for, hazards):
    client = client_for("grid-nq")
    url = f"/safety/hazards/{hazards['overdue'].pk}/rechecks/"
    response = client.post(url, {"cleared": "0", "note": ""})
    assert response.status_code == 200
    assert "请填写复查情况" in _body(response)
    response = client.post(url, {"cleared": "0", "note": "已联系物业", "new_deadline": days(-1).isoformat()})
    assert "新的整改期限不能早于今天" in _body(response)
    response = client.post(url, {"cleared": "1", "note": "已清理"}, follow=True)
    assert "已复查：隐患已整改销号" in _body(response)
    hazard = Hazard.objects.get(pk=hazards["overdue"].pk)
    assert (hazard.state, hazard.cleared_on) == ("cleared", days(0))


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_a_recheck_is_403_read_only_and_404_out_of_scope(client_for, hazards, username, status):
    response = client_for(username).post(f"/safety/hazards/{hazards['open'].pk}/rechecks/", {"cleared": "1"})
    assert response.status_code == status
    assert Hazard.objects.get(pk=hazards["open"].pk).state == "open"


def _new(**data: Any) -> dict[str, Any]:
    return {
        "unit": NQ_GRID, "kind": "fire", "risk_level": "high", "source": "report",
        "description": "消防通道被杂物堵塞", "place": "5号楼北侧", "responsible_party": "安居物业",
        "found_on": days(0).isoformat(), "deadline": days(3).isoformat(), **data,
    }  # fmt: skip


def test_logging_a_hazard_from_the_form(client_for, persona):
    client = client_for("grid-nq")
    form = _body(client.get(f"/safety/units/{NQ_GRID}/hazards/new/"))
    for label in ("隐患类型", "风险等级", "整改责任方", "整改期限", "走访发现", "消防"):
        assert label in form
    response = client.post(f"/safety/units/{NQ_GRID}/hazards/new/", _new(), follow=True)
    hazard = Hazard.objects.get()
    assert response.redirect_chain == [(f"/safety/hazards/{hazard.pk}/", 302)]
    assert "已登记隐患" in _body(response)
    assert (hazard.kind, hazard.risk_level, hazard.source, hazard.deadline) == (
        "fire",
        "high",
        "report",
        days(3),
    )
    assert hazard.recorded_by == persona("grid-nq")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "__yesterday__"}, "整改期限不能早于今天"),
        ({"deadline": ""}, "请填写整改期限"),
        ({"deadline": "下周"}, "日期格式应为 YYYY-MM-DD"),
        ({"description": ""}, "请填写隐患描述"),
        ({"responsible_party": ""}, "请填写整改责任方"),
        ({"found_on": "__tomorrow__"}, "发现日期不能晚于今天"),
        ({"risk_level": "extreme"}, "选择一个有效的选项"),
    ],
)
def test_bad_hazards_are_refused_in_chinese(client_for, data, message):
    values = _new(**data)
    for name in ("deadline", "found_on"):
        if values[name] == "__yesterday__":
            values[name] = days(-1).isoformat()
        if values[name] == "__tomorrow__":
            values[name] = days(1).isoformat()
    response = client_for("grid-nq").post(f"/safety/units/{NQ_GRID}/hazards/new/", values)
    assert response.status_code == 200
    assert message in _body(response)
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(("username", "status"), [("auditor", 403), ("grid-tq", 404), ("zhian", 404)])
def test_the_new_hazard_form_is_403_read_only_and_404_out_of_scope(client_for, username, status):
    client = client_for(username)
    url = f"/safety/units/{NQ_GRID}/hazards/new/"
    assert client.get(url).status_code == status
    assert client.post(url, _new()).status_code == status
    assert not Hazard.objects.exists()


# The summary for the local government.


@pytest.fixture
def summary_rows(persona: Any) -> None:
    """In 南桥's first committee: found in the period 3 (one cleared), one older still open and overdue."""
    make_hazard(persona, "nanqiao", NQ_GRID, "本期一")
    cleared = make_hazard(persona, "nanqiao", NQ_GRID, "本期二")
    from linli.safety.services.hazards import hazard_recheck

    hazard_recheck(actor=persona("nanqiao"), hazard=cleared, cleared=True)
    move_deadline(make_hazard(persona, "nanqiao", NQ_COMMUNITY, "本期三"), days(-1), days(-5))
    move_deadline(make_hazard(persona, "nanqiao", NQ_GRID, "上期"), days(-20), days(-40))
    make_hazard(persona, "touqiao", TQ_GRID, "头桥")


def test_the_summary_page_shows_each_community(client_for, summary_rows):
    client = client_for("nanqiao")
    body = _body(client.get(f"/safety/units/{NANQIAO}/hazards/summary/", {"from": days(-30), "to": days(0)}))
    community = Unit.objects.get(path=NQ_COMMUNITY)
    row = body.split(f">{community.name}</a>")[1].split("</tr>")[0]
    assert re.findall(r'<td class="n">(?:<span class="late">)?(\d+)', row) == ["3", "1", "3", "2"]
    assert "导出 Excel" in body
    for child in Unit.objects.filter(parent__path=NANQIAO, kind="community"):
        assert child.name in body


def test_the_summary_is_exported_to_excel_with_the_same_figures(client_for, summary_rows):
    response = client_for("nanqiao").get(
        f"/safety/units/{NANQIAO}/hazards/summary.xlsx",
        {"from": days(-30).isoformat(), "to": days(0).isoformat()},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="{NANQIAO}-' in response["Content-Disposition"]
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook["隐患清零"]
    rows = list(sheet.iter_rows(values_only=True))
    assert "南桥派出所" in rows[0][0]
    assert f"{days(-30):%Y-%m-%d} 至 {days(0):%Y-%m-%d}" in rows[0][0]
    assert rows[1] == ("社区/村", "本期发现", "本期整改", "期末未整改", "其中逾期")
    by_name = {row[0]: row[1:] for row in rows[2:]}
    community = Unit.objects.get(path=NQ_COMMUNITY)
    assert by_name[community.name] == (3, 1, 3, 2)
    assert by_name["合计"] == (3, 1, 3, 2)
    assert len(rows) == 2 + Unit.objects.filter(parent__path=NANQIAO, kind="community").count() + 1
    assert "头桥" not in str(rows)
    assert AuditEvent.objects.filter(action="hazard_summary.export", object_id=NANQIAO).exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "结束日期不能早于开始日期"),
        ({"from": "1月1日"}, "日期格式应为 YYYY-MM-DD"),
        ({"to": "__tomorrow__"}, "结束日期不能晚于今天"),
        ({"from": "2020-01-01", "to": "2022-01-01"}, "统计期间最长一年"),
    ],
)
def test_a_bad_period_is_refused_in_chinese(client_for, query, message):
    if query.get("to") == "__tomorrow__":
        query = {"to": days(1).isoformat()}
    body = _body(client_for("nanqiao").get(f"/safety/units/{NANQIAO}/hazards/summary/", query))
    assert message in body
    assert f"{days(0).year}年{days(0).month}月1日" in body  # fell back to this month


@pytest.mark.parametrize(
    ("username", "code"), [("grid-tq", NANQIAO), ("zhian", NANQIAO), ("grid-nq", NQ_COMMUNITY)]
)
def test_the_summary_outside_scope_is_404(client_for, username, code):
    client = client_for(username)
    assert client.get(f"/safety/units/{code}/hazards/summary/").status_code == 404
    assert client.get(f"/safety/units/{code}/hazards/summary.xlsx").status_code == 404


def test_the_auditor_may_read_and_export_the_summary(client_for, summary_rows):
    client = client_for("auditor")
    assert client.get(f"/safety/units/{NANQIAO}/hazards/summary/").status_code == 200
    assert client.get(f"/safety/units/{NANQIAO}/hazards/summary.xlsx").status_code == 200
