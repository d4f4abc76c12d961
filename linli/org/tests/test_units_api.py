"""The /api/v1/ unit and account endpoints, per persona."""

from __future__ import annotations

import pytest

from linli.conftest import DEMO_PASSWORD, NANQIAO, NQ_COMMUNITY, NQ_GRID, TOUQIAO, ZHIAN
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials_and_401_otherwise(client):
    ok = client.post(
        "/api/v1/auth/token",
        {"username": "grid-nq", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert ok.status_code == 200
    token = ok.json()["token"]
    assert ok.json()["token_type"] == "Bearer"
    wrong = client.post(
        "/api/v1/auth/token", {"username": "grid-nq", "password": "nope"}, content_type="application/json"
    )
    unknown = client.post(
        "/api/v1/auth/token", {"username": "nobody", "password": "nope"}, content_type="application/json"
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "用户名或口令不正确"}
    me = client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert me.json()["username"] == "grid-nq"


def test_token_body_must_be_well_formed(client):
    response = client.post("/api/v1/auth/token", {"username": "grid-nq"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求数据有误：password 缺少必填字段"
    assert body["errors"] == [{"loc": ["body", "payload", "password"], "msg": "缺少必填字段"}]
    response = client.post(
        "/api/v1/auth/token", {"username": 7, "password": []}, content_type="application/json"
    )
    assert [e["msg"] for e in response.json()["errors"]] == ["应为文本", "应为文本"]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing"}, "缺少必填字段"),
        ({"type": "int_parsing"}, "应为整数"),
        ({"type": "string_too_long", "ctx": {"max_length": 50}}, "最多 50 字"),
        ({"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}}, "取值无效，可选：'a' or 'b'"),
        ({"type": "value_error", "msg": "Value error, 类别无效"}, "类别无效"),
        ({"type": "greater_than_equal", "ctx": {}}, "不能小于"),
        ({"type": "something_new"}, "取值无效"),
    ],
)
def test_validation_messages_are_chinese(error, message):
    from linli.api.main import chinese_message

    assert chinese_message(error) == message


@pytest.mark.parametrize("header", [None, "Bearer ll_not-a-token", "Bearer ", "Basic abc"])
def test_endpoints_need_a_valid_token(client, header):
    headers = {"authorization": header} if header else {}
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


def test_me_lists_roles_and_units(api_for):
    body = api_for("officer-nq").get("/api/v1/me").json()
    assert {u["code"] for u in body["units"]} == {"310120.01.001", "310120.01.002"}
    assert {r["role_label"] for r in body["roles"]} == {"社区民警"}
    assert "兼任居委副书记" in {r["title"] for r in body["roles"]}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid-nq", {NQ_GRID}),
        ("nanqiao", {NANQIAO}),
        ("officer-nq", {"310120.01.001", "310120.01.002"}),
        ("zhian", {ZHIAN, "310120.01", "310120.02", "310120.03", "310120.04", "310120.05"}),
        ("admin", {"310120"}),
        ("angsu", {"150623.01"}),
    ],
)
def test_units_without_parent_are_the_top_of_scope(api_for, username, expected):
    rows = api_for(username).get("/api/v1/units").json()
    assert {r["code"] for r in rows} == expected


def test_units_with_parent_are_its_children(api_for):
    rows = api_for("nanqiao").get(f"/api/v1/units?parent={NQ_COMMUNITY}").json()
    expected = set(Unit.objects.filter(parent__code=NQ_COMMUNITY).values_list("code", flat=True))
    assert {r["code"] for r in rows} == expected
    assert all(r["level_label"] == "网格" for r in rows)
    district = api_for("admin").get("/api/v1/units?parent=310120").json()
    assert len(district) == 27  # stations only; departments have their own endpoint
    assert district[0]["name"] == "南桥派出所"
    assert district[0]["grid_count"] > district[0]["child_count"] > 0


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("grid-nq", NQ_COMMUNITY),
        ("grid-tq", NQ_GRID),
        ("zhian", TOUQIAO),
        ("jingzhen", NANQIAO),
        ("admin", "150623"),
    ],
)
def test_out_of_scope_units_are_404(api_for, username, code):
    client = api_for(username)
    assert client.get(f"/api/v1/units/{code}").status_code == 404
    assert client.get(f"/api/v1/units?parent={code}").status_code == 404
    assert client.get(f"/api/v1/units/{code}").json() == {"detail": "未找到"}


def test_unit_detail(api_for):
    body = api_for("nanqiao").get(f"/api/v1/units/{NQ_COMMUNITY}").json()
    assert body["level_label"] == "居村委"
    assert body["responsible"]["name"]
    assert [a["code"] for a in body["ancestors"]] == ["310120", NANQIAO]
    assert any(p["kind_label"] == "警务室" for p in body["support_points"])
    station = api_for("touqiao").get(f"/api/v1/units/{TOUQIAO}").json()
    assert [d["name"] for d in station["liaison_departments"]] == ["经侦支队"]


def test_openapi_schema_is_served_without_docs_ui(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/units/{code}" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 404
