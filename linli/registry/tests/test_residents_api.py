"""The /api/v1/ registry endpoints per persona: scoped, masked, audited; an ID number only in a POST body."""

from __future__ import annotations

import datetime
import json

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID
from linli.core.masking import age_of
from linli.registry.tests.test_residents_pages import LI_ID, WANG_ID, ZHANG_ID, make_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return make_people()


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {r["name"] for r in response.json()["items"] if r["name"].startswith("试")}


@pytest.mark.parametrize(
    "url", ["/api/v1/residents", "/api/v1/addresses", "/api/v1/housing", "/api/v1/imports"]
)
def test_registry_endpoints_need_a_token(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid-nq", {"试张一"}),
        ("nanqiao", {"试张一", "试李二"}),
        ("auditor", {"试张一", "试李二", "试王三"}),
        ("grid-tq", {"试王三"}),
        ("zhian", set()),
        ("angsu", set()),
    ],
)
def test_resident_list_is_scoped_and_masked(api_for, people, username, expected):
    response = api_for(username).get("/api/v1/residents")
    assert _names(response) == expected
    text = response.content.decode()
    for number in (ZHANG_ID, LI_ID, WANG_ID, "13812345678"):
        assert number not in text
    if "试张一" in expected:
        row = next(r for r in response.json()["items"] if r["name"] == "试张一")
        assert row["id_number"] == f"{ZHANG_ID[:6]}********{ZHANG_ID[-4:]}"
        assert row["phone"] == "138****5678"
        assert (row["residence_type"], row["residence_type_label"]) == ("registered", "户籍")
        assert row["address"] == "育秀路100弄12号401室"


def test_resident_list_filters_and_paginates(api_for, people):
    client = api_for("nanqiao")
    assert _names(client.get("/api/v1/residents?name=试李")) == {"试李二"}
    assert _names(client.get("/api/v1/residents?phone_last4=5678")) == {"试张一", "试李二"}
    assert _names(client.get("/api/v1/residents?name=试&phone_last4=5678")) == {"试张一", "试李二"}
    page = client.get("/api/v1/residents?name=试&page_size=1&page=2").json()
    assert (page["count"], page["page"], page["page_size"], len(page["items"])) == (2, 2, 1, 1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("phone_last4=12a", "电话后四位应为4位数字"),
        ("page=0", "页码从 1 开始"),
        ("page_size=500", "每页条数应在 1 到 200 之间"),
    ],
)
def test_bad_filters_get_chinese_errors(api_for, people, query, message):
    response = api_for("nanqiao").get(f"/api/v1/residents?{query}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("请求数据有误")
    assert message in json.dumps(response.json(), ensure_ascii=False)


def test_an_id_number_in_the_query_string_is_refused(api_for, people):
    # Ignoring it would answer with the whole list, as if it were the match.
    response = api_for("nanqiao").get(f"/api/v1/residents?id_number={ZHANG_ID}")
    assert response.status_code == 422
    assert "请用 POST residents/search" in json.dumps(response.json(), ensure_ascii=False)
    assert ZHANG_ID not in response.content.decode()


def test_search_by_id_number_in_the_body(api_for, people):
    client = api_for("grid-nq")
    spaced = f"{ZHANG_ID[:6]} {ZHANG_ID[6:]}"
    response = client.post("/api/v1/residents/search", {"id_number": spaced}, content_type="application/json")
    assert _names(response) == {"试张一"}
    assert ZHANG_ID not in response.content.decode()
    outside = client.post("/api/v1/residents/search", {"id_number": LI_ID}, content_type="application/json")
    assert outside.json()["count"] == 0
    by_name = client.post("/api/v1/residents/search", {"name": "试"}, content_type="application/json")
    assert _names(by_name) == {"试张一"}
    zhian = api_for("zhian").post(
        "/api/v1/residents/search", {"id_number": ZHANG_ID}, content_type="application/json"
    )
    assert zhian.json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"id_number": "31012019900230123X"}, "出生日期不存在"),
        ({"id_number": ZHANG_ID[:17] + ("0" if ZHANG_ID[17] != "0" else "1")}, "校验位错误"),
        ({}, "请提供姓名、电话后四位或身份证号"),
        ({"phone_last4": "５６７"}, "电话后四位应为4位数字"),
    ],
)
def test_bad_search_bodies_get_chinese_errors(api_for, people, body, message):
    response = api_for("nanqiao").post("/api/v1/residents/search", body, content_type="application/json")
    assert response.status_code == 422
    assert message in json.dumps(response.json(), ensure_ascii=False)


def test_search_is_post_only(api_for):
    assert api_for("nanqiao").get("/api/v1/residents/search").status_code in (404, 405)


def test_resident_detail_is_masked_and_audited(api_for, people):
    zhang = people["zhang"]
    response = api_for("grid-nq").get(f"/api/v1/residents/{zhang.pk}")
    body = response.json()
    assert response.status_code == 200
    assert ZHANG_ID not in response.content.decode()
    assert body["id_number"] == f"{ZHANG_ID[:6]}********{ZHANG_ID[-4:]}"
    assert (body["sex"], body["household_number"]) == ("M", "H001")
    # The age, never the birth date: the masked digits are the birth date.
    assert body["age"] == age_of(datetime.date(1990, 1, 1))
    assert "birth_date" not in body
    assert "1990-01-01" not in response.content.decode()
    assert body["address_id"] == zhang.address_id
    assert body["unit_path"] == NQ_GRID
    event = AuditEvent.objects.get(action="resident.view")
    assert (event.actor_username, event.object_id) == ("grid-nq", str(zhang.pk))


@pytest.mark.parametrize(
    ("username", "who"),
    [("grid-tq", "zhang"), ("zhian", "zhang"), ("zhian", "li"), ("grid-nq", "li"), ("angsu", "wang")],
)
def test_resident_detail_outside_scope_is_404(api_for, people, username, who):
    response = api_for(username).get(f"/api/v1/residents/{people[who].pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到"}
    assert not AuditEvent.objects.filter(action="resident.view").exists()


def test_the_schema_lists_the_registry_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "residents",
        "residents/{resident_id}",
        "residents/search",
        "addresses",
        "housing",
        "businesses",
    ):
        assert f"/api/v1/{path}" in paths
    assert "/api/v1/imports/{job_uuid}" in paths
    assert "post" in paths["/api/v1/residents/search"]


def test_a_name_too_long_is_refused_in_the_same_words_on_the_page_and_the_api(api_for, client_for, people):
    # One limit (Resident.name's max_length) and one message wherever a name comes in.
    name = "试" * 51
    api = api_for("nanqiao").get("/api/v1/residents", {"name": name})
    assert api.status_code == 422
    assert api.json()["errors"][0]["msg"] == "最多 50 字"
    posted = api_for("nanqiao").post(
        "/api/v1/residents/search", {"name": name}, content_type="application/json"
    )
    assert posted.json()["errors"][0]["msg"] == "最多 50 字"
    assert "最多 50 字" in client_for("nanqiao").get("/residents/", {"name": name}).content.decode()
