"""The /api/v1/ request endpoints per persona: the ladder over HTTP, scoped (404), read-only roles (403),
stale versions (409) and Chinese errors (422)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.conftest import JINGZHEN, NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2, TOUQIAO, TQ_GRID, ZHIAN
from linli.needs.models import Channel, Request, RequestCategory, RequestEvent
from linli.needs.services.requests import request_escalate, request_file
from linli.org.models import Unit

pytestmark = pytest.mark.django_db

TQ_COMMUNITY = "310120.09.001"
TQ_OFFICER = "mj-310120-09-001"
PHONE = "13912345678"


def _post(client: Any, url: str, **body: Any) -> Any:
    return client.post(f"/api/v1{url}", json.dumps(body), content_type="application/json")


def _file(client: Any, grid: str, **extra: Any) -> Any:
    body = {
        "category": "errands",
        "channel": "visit",
        "text": "独居老人家中水管漏水，需要帮忙联系维修",
        "unit": grid,
        "caller_name": "王阿姨",
        "caller_phone": PHONE,
        **extra,
    }
    return _post(client, "/requests", **body)


def _filed(client: Any, grid: str, **extra: Any) -> dict[str, Any]:
    response = _file(client, grid, **extra)
    assert response.status_code == 201, response.content.decode()
    return response.json()


def _step(client: Any, data: dict[str, Any], action: str, **body: Any) -> Any:
    return _post(client, f"/requests/{data['id']}/{action}", version=data["version"], **body)


def _stepped(client: Any, data: dict[str, Any], action: str, **body: Any) -> dict[str, Any]:
    response = _step(client, data, action, **body)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _service_file(persona: Any, username: str, grid: str, **extra: Any) -> Request:
    return request_file(
        actor=persona(username),
        category=RequestCategory.objects.get(code=extra.pop("category", "errands")),
        channel=Channel.PHONE,
        text=extra.pop("text", "需要帮忙代购降压药"),
        unit=Unit.objects.get(path=grid),
        caller_name="李大爷",
        caller_phone=PHONE,
        **extra,
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/requests", "/api/v1/requests/1", "/api/v1/requests/typical", "/api/v1/requests/1/events"]
)
def test_request_endpoints_need_a_token(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


def test_a_touqiao_request_climbs_the_ladder_over_the_api(api_for):
    grid_tq = api_for("grid-tq")
    data = _filed(grid_tq, TQ_GRID)
    assert (data["holder"], data["state"], data["version"]) == (
        {"code": TQ_GRID, "name": Unit.objects.get(path=TQ_GRID).name},
        "open",
        1,
    )
    assert data["caller_phone"] == "139****5678"
    assert {"accept", "escalate", "solve", "note"} <= set(data["actions"])
    assert "return" not in data["actions"]

    data = _stepped(grid_tq, data, "escalate", reason="需要社区协调物业")
    assert data["holder"]["code"] == TQ_COMMUNITY
    # The grid follows it but no longer acts on it.
    assert data["actions"] == ["note"]
    data = _stepped(api_for(TQ_OFFICER), data, "escalate", reason="社区无法解决")
    assert data["holder"]["code"] == TOUQIAO
    data = _stepped(api_for("touqiao"), data, "escalate", reason="涉及经济纠纷，需经侦支队协调")
    assert (data["holder"]["code"], data["escalations"], data["version"]) == (JINGZHEN, 3, 4)

    jingzhen = api_for("jingzhen")
    detail = jingzhen.get(f"/api/v1/requests/{data['id']}").json()
    assert {"accept", "escalate", "return", "handoff", "solve"} <= set(detail["actions"])
    queue = jingzhen.get("/api/v1/requests?queue=escalated").json()
    assert [r["id"] for r in queue["items"]] == [data["id"]]

    zhian = api_for("zhian")
    assert zhian.get(f"/api/v1/requests/{data['id']}").status_code == 404
    assert zhian.get(f"/api/v1/requests/{data['id']}/events").status_code == 404
    assert _step(zhian, data, "escalate", reason="x").status_code == 404
    assert zhian.get("/api/v1/requests").json()["count"] == 0

    events = jingzhen.get(f"/api/v1/requests/{data['id']}/events").json()
    assert [e["kind"] for e in events] == ["filed", "escalated", "escalated", "escalated"]
    last = events[-1]
    assert (last["kind_label"], last["unit"]["code"], last["to_unit"]["code"], last["note"]) == (
        "上报",
        TOUQIAO,
        JINGZHEN,
        "涉及经济纠纷，需经侦支队协调",
    )
    assert last["actor_name"] and last["attachments"] == []


def test_a_nanqiao_request_reaches_zhian(api_for):
    data = _filed(api_for("grid-nq"), NQ_GRID)
    data = _stepped(api_for("grid-nq"), data, "escalate", reason="网格无法解决")
    data = _stepped(api_for("officer-nq"), data, "escalate", reason="社区无法解决")
    data = _stepped(api_for("nanqiao"), data, "escalate", reason="需治安支队协调")
    assert data["holder"]["code"] == ZHIAN
    assert api_for("zhian").get(f"/api/v1/requests/{data['id']}").status_code == 200
    for outsider in ("jingzhen", "touqiao", "grid-tq", "zhengzhi"):
        assert api_for(outsider).get(f"/api/v1/requests/{data['id']}").status_code == 404
    # Send back: to the station that escalated it.
    data = _stepped(api_for("zhian"), data, "return", instructions="请派出所先行调解")
    assert (data["holder"]["code"], data["state"]) == (NANQIAO, "open")


def test_the_detail_masks_the_phone_and_the_read_is_audited(api_for, persona):
    data = _filed(api_for("grid-nq"), NQ_GRID, place_text="3号楼门口")
    response = api_for("officer-nq").get(f"/api/v1/requests/{data['id']}")
    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    detail = response.json()
    assert (detail["caller_name"], detail["caller_phone"], detail["place_text"]) == (
        "王阿姨",
        "139****5678",
        "3号楼门口",
    )
    assert (detail["category"], detail["category_name"], detail["channel_label"]) == (
        "errands",
        "代购代办",
        "上门走访",
    )
    assert detail["number"] == Request.objects.get(pk=data["id"]).number
    assert detail["deadline_at"] and not detail["overdue"]
    # The community officer sees it but the grid holds it: only a note.
    assert detail["actions"] == ["note"]
    event = AuditEvent.objects.get(action="request.view", object_id=str(data["id"]))
    assert (event.actor, event.unit_path) == (persona("officer-nq"), NQ_GRID)
    assert api_for("admin").get("/api/v1/requests/999999").status_code == 404


def test_lists_are_scoped_and_filtered(api_for, persona):
    mine = _filed(api_for("grid-nq"), NQ_GRID, category="dispute")
    other = _filed(api_for("grid-tq"), TQ_GRID)
    older = _service_file(persona, "officer-nq", NQ_COMMUNITY)
    Request.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))

    def ids(username: str, query: str = "") -> list[int]:
        response = api_for(username).get(f"/api/v1/requests?{query}")
        assert response.status_code == 200, response.content.decode()
        return [r["id"] for r in response.json()["items"]]

    assert ids("grid-nq") == [mine["id"]]
    assert ids("grid-tq") == [other["id"]]
    assert ids("nanqiao") == [mine["id"], older.pk]
    assert set(ids("auditor")) == {mine["id"], other["id"], older.pk}
    assert ids("jingzhen") == [] and ids("zhengzhi") == []
    assert ids("grid-nq", "queue=new") == [mine["id"]]
    assert ids("grid-nq", "queue=mine") == []
    assert ids("officer-nq", "queue=new") == [older.pk]
    assert ids("nanqiao", "category=dispute") == [mine["id"]]
    assert ids("nanqiao", "state=solved") == []
    assert ids("nanqiao", f"unit={NQ_GRID}") == [mine["id"]]
    today = timezone.localdate()
    assert ids("nanqiao", f"created_from={today.isoformat()}") == [mine["id"]]
    assert ids("nanqiao", f"created_to={(today - datetime.timedelta(days=1)).isoformat()}") == [older.pk]
    page = api_for("admin").get("/api/v1/requests?page_size=2&page=2").json()
    assert (page["count"], page["page"], len(page["items"])) == (3, 2, 1)
    assert api_for("grid-nq").get(f"/api/v1/requests?unit={TOUQIAO}").status_code == 404
    assert api_for("grid-nq").get(f"/api/v1/requests?unit={NQ_COMMUNITY}").status_code == 404
    for query, message in [
        ("queue=later", "队列应为"),
        ("state=lost", "状态应为"),
        ("created_from=3月1日", "日期格式应为 YYYY-MM-DD"),
        ("page=0", "页码从 1 开始"),
    ]:
        response = api_for("nanqiao").get(f"/api/v1/requests?{query}")
        assert response.status_code == 422
        assert message in response.content.decode()


def test_a_stale_version_is_409_and_nothing_is_written(api_for):
    client = api_for("grid-nq")
    data = _filed(client, NQ_GRID)
    _stepped(client, data, "accept")
    response = _step(client, data, "escalate", reason="网格无法解决")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "该诉求刚被他人处理过，请刷新后查看最新情况再操作",
        "errors": [{"loc": ["body", "version"], "msg": "该诉求刚被他人处理过，请刷新后查看最新情况再操作"}],
    }
    request = Request.objects.get(pk=data["id"])
    assert (request.holder_path, request.escalations, request.version) == (NQ_GRID, 0, 2)
    assert list(request.events.values_list("kind", flat=True)) == ["filed", "accepted"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "请提供查看时读到的版本号（version）"),
        ({"version": "abc"}, "版本号应为正整数"),
        ({"version": 0}, "版本号应为正整数"),
        ({"version": 1, "reason": "  "}, "请填写上报原因"),
        ({"version": 1, "reason": "长" * 2001}, "上报原因最多 2000 字"),
    ],
)
def test_bad_steps_get_chinese_errors(api_for, body, message):
    client = api_for("grid-nq")
    data = _filed(client, NQ_GRID)
    response = _post(client, f"/requests/{data['id']}/escalate", **body)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Request.objects.get(pk=data["id"]).version == 1


@pytest.mark.parametrize(
    ("extra", "message", "field"),
    [
        ({"category": "fireworks"}, "诉求类别无效", "category"),
        ({"channel": "pigeon"}, "来源渠道无效", "channel"),
        ({"urgency": "whenever"}, "紧急程度无效", "urgency"),
        ({"text": "  "}, "请填写诉求内容", "text"),
        ({"caller_phone": "123"}, "诉求人电话有误", "caller_phone"),
        ({"caller_phone": ""}, "请填写诉求人电话", "caller_phone"),
        ({"unit": ""}, "请选择诉求所在的网格或社区", "unit"),
        ({"resident_id": 999999}, "该居民不在您的辖区", "resident_id"),
        ({"address_id": 999999}, "该地址不在您的辖区", "address_id"),
    ],
)
def test_bad_filings_get_chinese_errors(api_for, extra, message, field):
    response = _file(api_for("grid-nq"), NQ_GRID, **extra)
    assert response.status_code == 422, response.content.decode()
    data = response.json()
    assert message in data["detail"]
    assert data["errors"][0]["loc"] == ["body", field]
    assert not Request.objects.exists()


def test_filing_is_scoped(api_for):
    assert _file(api_for("grid-nq"), TQ_GRID).status_code == 404
    response = _file(api_for("grid-nq"), NQ_COMMUNITY)
    assert response.status_code == 404
    # The department sees 南桥's structure but files nothing there.
    response = _file(api_for("zhian"), NQ_GRID)
    assert response.status_code == 422
    assert "权限" in response.json()["detail"]
    response = _file(api_for("auditor"), NQ_GRID)
    assert (response.status_code, response.json()) == (403, {"detail": "没有权限执行此操作"})
    # A community officer files at the community itself, or at one of its grids.
    assert _filed(api_for("officer-nq"), NQ_COMMUNITY)["holder"]["code"] == NQ_COMMUNITY
    assert Request.objects.count() == 1


def test_read_only_and_non_holders_get_403(api_for):
    data = _filed(api_for("grid-nq"), NQ_GRID)
    auditor = api_for("auditor")
    assert auditor.get(f"/api/v1/requests/{data['id']}").json()["actions"] == []
    for action, body in [("accept", {}), ("escalate", {"reason": "x"}), ("solve", {"solution": "x"})]:
        response = _step(auditor, data, action, **body)
        assert (response.status_code, response.json()) == (403, {"detail": "没有权限执行此操作"})
    assert _post(auditor, f"/requests/{data['id']}/events", note="看过了").status_code == 403
    # The station sees it but waits for it to be escalated.
    assert _step(api_for("nanqiao"), data, "escalate", reason="x").status_code == 403
    assert _step(api_for("grid-tq"), data, "escalate", reason="x").status_code == 404
    assert Request.objects.get(pk=data["id"]).version == 1


def test_solve_handoff_and_close_over_the_api(api_for):
    grid_nq = api_for("grid-nq")
    data = _filed(grid_nq, NQ_GRID, category="price_gouging")
    response = _step(grid_nq, data, "handoff-response", response="已答复")
    assert response.status_code == 422 and "尚未移交主管部门" in response.json()["detail"]
    data = _stepped(grid_nq, data, "handoff", note="已电话告知")
    assert "handoff_response" in data["actions"]
    data = _stepped(grid_nq, data, "handoff-response", response="市场监管局已约谈商户")
    data = _stepped(grid_nq, data, "accept")
    assert "accept" not in data["actions"]
    data = _stepped(grid_nq, data, "solve", solution="商户已恢复原价")
    assert (data["state"], data["solution"], data["solved_on_time"]) == ("solved", "商户已恢复原价", True)
    # Closing is for whoever handles requests where it arose; a call-back is not made by the solver.
    assert "close" in data["actions"]
    response = _step(grid_nq, data, "close", satisfaction=5, method="callback")
    assert response.status_code == 422 and "办理人以外" in response.json()["detail"]
    for satisfaction in (0, 6, "很好"):
        response = _step(api_for("squad-nq"), data, "close", satisfaction=satisfaction, method="callback")
        assert response.status_code == 422
        assert "请选择1到5分的满意度" in response.content.decode()
    assert _step(api_for("touqiao"), data, "close", satisfaction=5, method="member").status_code == 404
    assert _step(api_for("auditor"), data, "close", satisfaction=5, method="member").status_code == 403
    data = _stepped(api_for("squad-nq"), data, "close", satisfaction=4, comment="很及时", method="callback")
    assert (data["state"], data["satisfaction"], data["feedback_method"], data["actions"]) == (
        "closed",
        4,
        "callback",
        [],
    )
    kinds = [e["kind"] for e in grid_nq.get(f"/api/v1/requests/{data['id']}/events").json()]
    assert kinds == ["filed", "handoff", "handoff_response", "accepted", "solved", "closed"]
    handoff = RequestEvent.objects.get(request_id=data["id"], kind="handoff")
    assert handoff.data == {"body": "区市场监督管理局"}
    response = _step(grid_nq, data, "escalate", reason="x")
    assert response.status_code == 422 and "已解决" in response.json()["detail"]


def test_notes_on_the_timeline(api_for):
    data = _filed(api_for("grid-nq"), NQ_GRID)
    response = _post(api_for("officer-nq"), f"/requests/{data['id']}/events", note=" 已电话联系物业 ")
    assert response.status_code == 201, response.content.decode()
    note = response.json()
    assert (note["kind"], note["kind_label"], note["note"], note["unit"]["code"]) == (
        "note",
        "补充说明",
        "已电话联系物业",
        NQ_GRID,
    )
    response = _post(api_for("officer-nq"), f"/requests/{data['id']}/events", note="")
    assert response.status_code == 422 and response.json()["detail"] == "请填写说明"
    assert _post(api_for("grid-tq"), f"/requests/{data['id']}/events", note="x").status_code == 404
    events = api_for("grid-nq").get(f"/api/v1/requests/{data['id']}/events").json()
    assert [e["kind"] for e in events] == ["filed", "note"]
    # Notes do not change the request: its version stays.
    assert Request.objects.get(pk=data["id"]).version == 1


def test_typical_cases_for_the_political_department(api_for, persona):
    data = _filed(api_for("grid-nq"), NQ_GRID)
    open_one = _filed(api_for("grid-tq"), TQ_GRID)
    _stepped(api_for("grid-nq"), data, "solve", solution="网格员当天联系物业修好")
    zhengzhi = api_for("zhengzhi")
    response = zhengzhi.get("/api/v1/requests/typical")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["items"]] == [data["id"]]
    row = response.json()["items"][0]
    assert set(row) == {
        "id",
        "category",
        "category_name",
        "unit_name",
        "solution",
        "created_at",
        "solved_at",
        "closed_at",
        "is_typical",
        "typical_title",
        "typical_writeup",
    }
    assert (row["unit_name"], row["solution"]) == (
        Unit.objects.get(path=NQ_GRID).name,
        "网格员当天联系物业修好",
    )
    text = response.content.decode()
    assert "王阿姨" not in text and PHONE not in text and "水管漏水" not in text
    assert api_for("nanqiao").get("/api/v1/requests/typical").status_code == 403

    url = f"/requests/{data['id']}/typical"
    response = _post(zhengzhi, url, title="漏水当天修好", writeup="王阿姨家水管漏水，当天修好")
    assert response.status_code == 422 and "诉求人姓名" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["body", "writeup"]
    response = _post(
        zhengzhi, url, title="漏水当天修好", writeup="某某阿姨家水管漏水，网格员当天联系物业修好。"
    )
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["is_typical"], response.json()["typical_title"]) == (True, "漏水当天修好")
    assert Request.objects.get(pk=data["id"]).is_typical
    # Nobody else marks typical cases; the political department does not see requests themselves.
    assert _post(api_for("nanqiao"), url, title="t", writeup="w").status_code == 403
    assert _post(api_for("grid-tq"), url, title="t", writeup="w").status_code == 404
    assert _post(zhengzhi, f"/requests/{open_one['id']}/typical", title="t", writeup="w").status_code == 404
    assert zhengzhi.get(f"/api/v1/requests/{data['id']}").status_code == 404


def test_indicators_per_child_unit(api_for, persona):
    data = _filed(api_for("grid-nq"), NQ_GRID)
    data = _stepped(api_for("grid-nq"), data, "solve", solution="已办")
    _stepped(api_for("squad-nq"), data, "close", satisfaction=5, method="callback")
    escalated = _service_file(persona, "officer-nq", NQ_COMMUNITY)
    request_escalate(
        actor=persona("officer-nq"), request=escalated, version=escalated.version, reason="需派出所协调"
    )
    _service_file(persona, "officer-nq", "310120.01.002")
    _service_file(persona, "grid-tq", TQ_GRID)

    today = timezone.localdate().isoformat()
    response = api_for("nanqiao").get(f"/api/v1/requests/indicators?unit={NANQIAO}&start={today}&end={today}")
    assert response.status_code == 200, response.content.decode()
    result = response.json()
    assert (result["unit"]["code"], result["start"], result["end"]) == (NANQIAO, today, today)
    rows = {r["unit"]["code"]: r for r in result["rows"]}
    first = rows[NQ_COMMUNITY]
    assert (first["total"], first["open"], first["solved"], first["closed"], first["escalated"]) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert (first["solved_on_time"], first["on_time_rate"]) == (1, 1.0)
    assert (first["rated"], first["average_satisfaction"], first["satisfied"], first["satisfied_share"]) == (
        1,
        5.0,
        1,
        1.0,
    )
    second = rows["310120.01.002"]
    assert (second["total"], second["open"], second["on_time_rate"], second["average_satisfaction"]) == (
        1,
        1,
        None,
        None,
    )
    assert rows["310120.01.003"]["total"] == 0
    assert result["total"]["total"] == 3 and result["total"]["label"] == Unit.objects.get(path=NANQIAO).name

    # The district, per station; the default period is the last 30 days.
    district = api_for("admin").get("/api/v1/requests/indicators?unit=310120").json()
    totals = {r["unit"]["code"]: r["total"] for r in district["rows"]}
    assert (totals[NANQIAO], totals[TOUQIAO], district["total"]["total"]) == (3, 1, 4)
    assert ZHIAN not in totals

    assert api_for("touqiao").get(f"/api/v1/requests/indicators?unit={NANQIAO}").status_code == 404
    assert api_for("zhian").get(f"/api/v1/requests/indicators?unit={NANQIAO}").status_code == 404
    assert api_for("zhengzhi").get("/api/v1/requests/indicators?unit=310120").status_code == 404
    for query, message in [
        ("", "请指定单位编码（unit）"),
        (f"unit={NANQIAO}&start=2026-02-30", "日期格式应为 YYYY-MM-DD"),
        (f"unit={NANQIAO}&start=2026-03-02&end=2026-03-01", "开始日期不能晚于结束日期"),
    ]:
        response = api_for("nanqiao").get(f"/api/v1/requests/indicators?{query}")
        assert response.status_code == 422
        assert message in response.content.decode()


def _address(grid: str, text: str) -> Any:
    from linli.registry.models import Address

    station = ".".join(grid.split(".")[:2])
    return Address.objects.create(
        code=f"T-{grid}-{text}",
        station_path=station,
        key=text,
        grid=Unit.objects.get(path=grid),
        unit_path=grid,
        locality=text,
        full_text=text,
    )


def test_an_address_names_the_grid(api_for):
    address = _address(NQ_GRID_2, "育秀路100弄12号")
    data = _filed(api_for("officer-nq"), "", address_id=address.pk)
    assert (data["unit"]["code"], data["holder"]["code"]) == (NQ_GRID_2, NQ_GRID_2)
    assert (data["address_id"], data["address"]) == (address.pk, "育秀路100弄12号")
    # An address outside the caller's grid is refused like one that does not exist.
    response = _file(api_for("grid-nq"), "", address_id=address.pk)
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "address_id"]


def test_a_page_costs_the_same_queries_whatever_its_rows(api_for, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_for("nanqiao")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/requests?page_size=50").status_code == 200
        return len(captured)

    _service_file(persona, "grid-nq", NQ_GRID)
    # The first use of a token also marks it used.
    queries()
    one = queries()
    for _ in range(4):
        _service_file(persona, "officer-nq", NQ_GRID_2)
    assert queries() == one
