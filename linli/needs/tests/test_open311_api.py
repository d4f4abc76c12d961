"""Open311 GeoReport v2 at /open311/v2/: services, filing from the 12345 hotline with an API key, scoped
searches, the spec's error list, JSON only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.services.api_tokens import api_token_issue
from linli.conftest import NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.needs.models import Channel, Request, RequestCategory
from linli.needs.services.requests import request_close, request_file, request_solve
from linli.org.models import Unit

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
PHONE = "13912345678"


@pytest.fixture
def key_for(persona: Any) -> Any:
    def issue(username: str) -> str:
        return api_token_issue(user=persona(username))

    return issue


def _form(key: str, **extra: str) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": "utility_hazard",
        "description": "楼道里有燃气味，请尽快处理",
        "attribute[grid]": NQ_GRID,
        "phone": PHONE,
        "last_name": "王",
        "first_name": "阿姨",
        "address_string": "3号楼2单元楼道",
        **extra,
    }


def _filed(persona: Any, username: str, grid: str, **extra: Any) -> Request:
    return request_file(
        actor=persona(username),
        category=RequestCategory.objects.get(code=extra.pop("category", "errands")),
        channel=Channel.PHONE,
        text=extra.pop("text", "需要帮忙代购降压药"),
        unit=Unit.objects.get(path=grid),
        caller_name="李大爷",
        caller_phone=PHONE,
    )


def _error(response: Any, status: int, message: str) -> None:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert len(body) == 1 and body[0]["code"] == status
    assert message in body[0]["description"], body


def test_services_lists_the_active_categories(client):
    RequestCategory.objects.filter(code="escort").update(is_active=False)
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    services_ = response.json()
    codes = [s["service_code"] for s in services_]
    assert codes[0] == "supply_delivery" and "escort" not in codes and len(codes) == 11
    green = next(s for s in services_ if s["service_code"] == "green_channel")
    assert green == {
        "service_code": "green_channel",
        "service_name": "绿色通道/就医转运",
        "description": "危重病人就医、转运",
        "metadata": False,
        "type": "realtime",
        "keywords": "绿色通道,就医转运",
        "group": "群众诉求",
    }
    # Chinese as UTF-8, not escapes.
    assert "绿色通道" in response.content.decode()


def test_posting_files_a_request_held_by_the_named_grid(key_for, persona):
    # The hotline's system posts without a CSRF token: the key is the only credential.
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{BASE}/requests.json", _form(key_for("grid-nq")))
    assert response.status_code == 201, response.content.decode()
    (body,) = response.json()
    request = Request.objects.get(pk=int(body["service_request_id"]))
    assert (request.holder_path, request.channel, request.created_by) == (
        NQ_GRID,
        "12345",
        persona("grid-nq"),
    )
    assert (request.caller_name, request.caller_phone, request.place_text) == (
        "王阿姨",
        PHONE,
        "3号楼2单元楼道",
    )
    assert (request.category.code, request.urgency, request.text) == (
        "utility_hazard",
        "high",
        "楼道里有燃气味，请尽快处理",
    )
    assert (
        request.number in body["service_notice"]
        and Unit.objects.get(path=NQ_GRID).name in body["service_notice"]
    )
    assert request.events.get().actor_name

    # The grid may also come as jurisdiction_id; a community officer files in either grid of its committee.
    form = _form(key_for("officer-nq"), jurisdiction_id=NQ_GRID_2)
    del form["attribute[grid]"]
    response = client.post(f"{BASE}/requests.json", form)
    assert response.status_code == 201, response.content.decode()
    assert Request.objects.get(pk=int(response.json()[0]["service_request_id"])).holder_path == NQ_GRID_2


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"api_key": ""}, 403, "缺少 api_key"),
        ({"api_key": "ll_not-a-real-key"}, 403, "api_key 无效"),
        ({"api_key": "guess"}, 403, "api_key 无效"),
        ({"description": "  "}, 400, "缺少 description"),
        ({"service_code": ""}, 400, "缺少 service_code"),
        ({"service_code": "fireworks"}, 404, "未知的服务类别：fireworks"),
        ({"phone": ""}, 400, "请填写诉求人电话"),
        ({"phone": "123"}, 400, "诉求人电话有误"),
        ({"attribute[grid]": ""}, 400, "请用 jurisdiction_id 或 attribute[grid] 指明网格编码"),
        ({"attribute[grid]": "no-such-grid"}, 400, "网格编码无效"),
        ({"attribute[grid]": TQ_GRID}, 400, "不在该 api_key 的辖区"),
        ({"jurisdiction_id": NQ_GRID_2}, 400, "指向不同的网格"),
        ({"address_id": "999999"}, 400, "地址编号无效"),
    ],
)
def test_bad_filings_get_the_specs_error_list(client, key_for, change, status, message):
    form = _form(key_for("grid-nq"))
    form.update(change)
    _error(client.post(f"{BASE}/requests.json", form), status, message)
    assert not Request.objects.exists()


def test_a_key_that_only_reads_cannot_file(client, key_for):
    _error(client.post(f"{BASE}/requests.json", _form(key_for("auditor"))), 403, "无权在")
    assert not Request.objects.exists()


def test_searches_are_scoped_to_the_keys_user(client, key_for, persona):
    nq = _filed(persona, "grid-nq", NQ_GRID)
    tq = _filed(persona, "grid-tq", TQ_GRID, category="dispute")

    def ids(username: str, query: str = "") -> list[str]:
        response = client.get(f"{BASE}/requests.json?api_key={key_for(username)}&{query}")
        assert response.status_code == 200, response.content.decode()
        return [r["service_request_id"] for r in response.json()]

    assert ids("grid-tq") == [str(tq.pk)]
    assert ids("grid-nq") == [str(nq.pk)]
    assert ids("auditor") == [str(tq.pk), str(nq.pk)]
    assert ids("zhian") == []
    assert ids("grid-tq", f"service_request_id={nq.pk},{tq.pk}") == [str(tq.pk)]
    assert ids("auditor", "service_code=dispute") == [str(tq.pk)]
    assert ids("auditor", "service_code=dispute,errands") == [str(tq.pk), str(nq.pk)]

    response = client.get(f"{BASE}/requests.json?api_key={key_for('grid-tq')}")
    (row,) = response.json()
    assert PHONE not in response.content.decode() and "李大爷" not in response.content.decode()
    assert row == {
        "service_request_id": str(tq.pk),
        "status": "open",
        "status_notes": f"{Unit.objects.get(path=TQ_GRID).name}办理中",
        "service_name": "矛盾纠纷",
        "service_code": "dispute",
        "description": "需要帮忙代购降压药",
        "agency_responsible": Unit.objects.get(path=TQ_GRID).name,
        "service_notice": row["service_notice"],
        "requested_datetime": timezone.localtime(tq.created_at).isoformat(timespec="seconds"),
        "updated_datetime": row["updated_datetime"],
        "expected_datetime": timezone.localtime(tq.deadline_at).isoformat(timespec="seconds"),
        "address": "",
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    assert row["requested_datetime"].endswith("+08:00")

    _error(client.get(f"{BASE}/requests.json"), 403, "缺少 api_key")
    _error(client.get(f"{BASE}/requests.json?api_key=ll_wrong"), 403, "api_key 无效")
    _error(
        client.get(f"{BASE}/requests.json?api_key={key_for('auditor')}&service_code=x"), 404, "未知的服务类别"
    )
    _error(
        client.get(f"{BASE}/requests.json?api_key={key_for('auditor')}&service_request_id=a,b"), 400, "逗号"
    )


def test_status_and_date_filters(client, key_for, persona):
    recent = _filed(persona, "grid-nq", NQ_GRID)
    old = _filed(persona, "grid-nq", NQ_GRID)
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=20))
    solved = _filed(persona, "grid-nq", NQ_GRID)
    solved = request_solve(actor=persona("grid-nq"), request=solved, version=1, solution="已办")
    closed = _filed(persona, "grid-nq", NQ_GRID)
    closed = request_solve(actor=persona("grid-nq"), request=closed, version=1, solution="已修好")
    request_close(
        actor=persona("squad-nq"), request=closed, version=closed.version, satisfaction=5, method="callback"
    )
    key = key_for("grid-nq")

    def ids(query: str) -> set[int]:
        response = client.get(f"{BASE}/requests.json?api_key={key}&{query}")
        assert response.status_code == 200, response.content.decode()
        return {int(r["service_request_id"]) for r in response.json()}

    assert ids("") == {recent.pk, old.pk, solved.pk, closed.pk}
    assert ids("status=open") == {recent.pk, old.pk, solved.pk}
    assert ids("status=closed") == {closed.pk}
    assert ids("status=open,closed") == {recent.pk, old.pk, solved.pk, closed.pk}
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    start = ten_days_ago.isoformat().replace("+00:00", "Z")
    assert ids(f"start_date={start}") == {recent.pk, solved.pk, closed.pk}
    assert ids(f"end_date={start}") == {old.pk}
    day = timezone.localdate(timezone.now() - datetime.timedelta(days=20)).isoformat()
    assert ids(f"start_date={day}&end_date={day}") == {old.pk}

    rows = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json?api_key={key}").json()}
    assert rows[str(solved.pk)]["status_notes"] == "已解决，待回访：已办"
    assert (rows[str(closed.pk)]["status"], rows[str(closed.pk)]["status_notes"]) == (
        "closed",
        "已办结：已修好",
    )

    for query, message in [
        ("status=lost", "status 应为 open"),
        ("start_date=yesterday", "start_date 应为 ISO 8601"),
        ("start_date=2026-01-01&end_date=2025-12-01", "end_date 不能早于 start_date"),
        ("start_date=2025-01-01&end_date=2025-12-01", "不能超过90天"),
    ]:
        _error(client.get(f"{BASE}/requests.json?api_key={key}&{query}"), 400, message)


def test_one_request_by_id(client, key_for, persona):
    nq = _filed(persona, "grid-nq", NQ_GRID)
    response = client.get(f"{BASE}/requests/{nq.pk}.json?api_key={key_for('grid-nq')}")
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["service_request_id"], row["status"], row["service_code"]) == (str(nq.pk), "open", "errands")
    _error(client.get(f"{BASE}/requests/{nq.pk}.json?api_key={key_for('grid-tq')}"), 404, "未找到诉求")
    _error(client.get(f"{BASE}/requests/999999.json?api_key={key_for('admin')}"), 404, "未找到诉求")
    _error(client.get(f"{BASE}/requests/{nq.pk}.json"), 403, "缺少 api_key")


def test_only_json(client, key_for):
    _error(client.get(f"{BASE}/services.xml"), 400, "只提供 JSON")
    _error(client.get(f"{BASE}/requests.xml?api_key={key_for('grid-nq')}"), 400, "只提供 JSON")
    _error(client.get(f"{BASE}/requests/1.xml"), 400, "只提供 JSON")
    _error(client.get(f"{BASE}/discovery.json"), 404, "没有这个接口")
    _error(client.put(f"{BASE}/requests.json"), 405, "只支持 GET 和 POST")
    _error(client.post(f"{BASE}/services.json"), 405, "只支持 GET")


def test_an_address_id_names_the_grid(client, key_for):
    from linli.registry.models import Address

    address = Address.objects.create(
        code="T-open311-1",
        station_path="310120.01",
        key="育秀路|100弄|12号",
        grid=Unit.objects.get(path=NQ_GRID_2),
        unit_path=NQ_GRID_2,
        locality="育秀路",
        full_text="育秀路100弄12号",
    )
    form = _form(key_for("officer-nq"), address_id=str(address.pk))
    del form["attribute[grid]"]
    response = client.post(f"{BASE}/requests.json", form)
    assert response.status_code == 201, response.content.decode()
    request_id = response.json()[0]["service_request_id"]
    assert Request.objects.get(pk=int(request_id)).holder_path == NQ_GRID_2
    (row,) = client.get(f"{BASE}/requests/{request_id}.json?api_key={key_for('officer-nq')}").json()
    assert (row["address"], row["address_id"]) == ("育秀路100弄12号", str(address.pk))
    # The grid worker of the neighbouring grid does not see the address; a grid that disagrees is refused.
    form = _form(key_for("grid-nq"), address_id=str(address.pk))
    _error(client.post(f"{BASE}/requests.json", form), 400, "地址编号无效")
    form = _form(key_for("officer-nq"), address_id=str(address.pk))
    _error(client.post(f"{BASE}/requests.json", form), 400, "address_id 所在网格与 jurisdiction_id 不一致")
