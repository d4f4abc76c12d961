"""Support point pages over HTTP, for each persona: allowed, read-only 403, out of scope 404."""

from __future__ import annotations

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_COMMUNITY_3, NQ_GRID, TOUQIAO
from linli.core.errors import ServiceError
from linli.org.models import SupportPoint, Unit
from linli.org.services.support_points import support_point_create

pytestmark = pytest.mark.django_db


# Support points: managing is for offices, officers and admins; grid workers and auditors read only.


def _new_point(client, code, name="测试平安屋"):
    return client.post(
        f"/units/{code}/support-points/new/",
        {"kind": "safety_house", "name": name, "phone": "021-57000000", "is_active": "on"},
    )


@pytest.mark.parametrize(
    ("username", "code"), [("nanqiao", NQ_GRID), ("officer-nq", NQ_COMMUNITY), ("admin", TOUQIAO)]
)
def test_manager_adds_a_support_point(client_for, username, code):
    response = _new_point(client_for(username), code)
    assert response.status_code == 302
    point = SupportPoint.objects.get(unit__code=code, name="测试平安屋")
    event = AuditEvent.objects.get(action="support_point.create", object_id=str(point.pk))
    assert event.actor_username == username
    assert event.unit_path == code


@pytest.mark.parametrize(
    ("username", "code"),
    [("grid-nq", NQ_GRID), ("squad-nq", NQ_GRID), ("auditor", NANQIAO), ("zhian", NANQIAO)],
)
def test_read_only_personas_get_403(client_for, username, code):
    client = client_for(username)
    assert client.get(f"/units/{code}/support-points/new/").status_code == 403
    response = _new_point(client, code)
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert not SupportPoint.objects.filter(name="测试平安屋").exists()


@pytest.mark.parametrize(
    ("username", "code"), [("touqiao", NQ_GRID), ("grid-tq", NQ_GRID), ("officer-nq", NQ_COMMUNITY_3)]
)
def test_outsiders_get_404_when_adding(client_for, username, code):
    assert _new_point(client_for(username), code).status_code == 404
    assert not SupportPoint.objects.filter(name="测试平安屋").exists()


def test_bad_support_point_input_gets_chinese_errors_and_nothing_is_written(client_for):
    client = client_for("nanqiao")
    before = SupportPoint.objects.count()
    response = client.post(
        f"/units/{NQ_COMMUNITY}/support-points/new/", {"kind": "bogus", "name": "   ", "phone": "abc"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "选择一个有效的选项" in body
    assert "这个字段是必填项" in body or "请填写名称" in body
    assert "电话只能包含数字" in body
    existing = SupportPoint.objects.filter(unit__code=NQ_COMMUNITY).order_by("pk")[0]
    duplicate = client.post(
        f"/units/{NQ_COMMUNITY}/support-points/new/", {"kind": "police_office", "name": existing.name}
    )
    assert "本单位已有同名服务点位" in duplicate.content.decode()
    assert SupportPoint.objects.count() == before


def test_edit_support_point_scopes(client_for):
    point = SupportPoint.objects.filter(unit__code=NQ_COMMUNITY).order_by("pk")[0]
    url = f"/support-points/{point.pk}/edit/"
    data = {"kind": point.kind, "name": point.name, "phone": "021-12345678", "opening_hours": "8:30-17:00"}
    assert client_for("grid-tq").post(url, data).status_code == 404
    assert client_for("grid-nq").post(url, data).status_code == 404  # the community is above their grid
    assert client_for("auditor").post(url, data).status_code == 403
    assert client_for("officer-nq").post(url, data).status_code == 302
    point.refresh_from_db()
    assert point.opening_hours == "8:30-17:00"
    assert point.is_active is False  # the box was not ticked
    assert client_for("admin").get("/support-points/999999/edit/").status_code == 404


def test_audit_log_is_for_auditors_only(client_for):
    _new_point(client_for("nanqiao"), NQ_GRID)
    assert client_for("auditor").get("/audit/").status_code == 200
    # 三员分立: neither the business, the system nor the security administrator reads the audit log.
    for username in ("admin", "sysadmin", "secadmin"):
        assert client_for(username).get("/audit/").status_code == 403
    assert client_for("grid-nq").get("/audit/").status_code == 403
    assert client_for("nanqiao").get("/audit/").status_code == 403


def test_text_too_long_is_refused_in_the_same_words_by_the_page_and_the_service(client_for, persona):
    # One limit per field (the model's max_length) and one message, whichever way the text comes in.
    before = SupportPoint.objects.count()
    page = _new_point(client_for("nanqiao"), NQ_COMMUNITY, name="平" * 101).content.decode()
    assert "最多 100 字" in page
    with pytest.raises(ServiceError, match=r"^最多 200 字$"):
        support_point_create(
            actor=persona("nanqiao"),
            unit=Unit.objects.get(code=NQ_COMMUNITY),
            kind="safety_house",
            name="平安屋",
            address="路" * 201,
        )
    assert SupportPoint.objects.count() == before
