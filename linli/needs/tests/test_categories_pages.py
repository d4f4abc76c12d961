"""The category configuration (district admins only)."""

from __future__ import annotations

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID
from linli.needs.models import Channel, Request, RequestCategory
from linli.needs.services.requests import request_file
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_district_admin_configures_categories(client_for, persona):
    client = client_for("admin")
    assert "绿色通道/就医转运" in client.get("/requests/categories/").content.decode()
    response = client.post(
        "/requests/categories/",
        {"code": "elevator", "name": "电梯困人", "default_urgency": "urgent", "deadline_hours": "1",
         "handoff_body": "区市场监督管理局", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    category = RequestCategory.objects.get(code="elevator")
    assert (category.hours_for("urgent"), category.hours_for("normal")) == (1, 1)
    assert AuditEvent.objects.filter(action="request_category.create", object_id=str(category.pk)).exists()
    # A request in the new category gets its limit.
    request = request_file(
        actor=persona("grid-nq"),
        category=category,
        channel=Channel.PHONE,
        text="电梯停在两层之间",
        unit=Unit.objects.get(path=NQ_GRID),
        caller_phone="13900003333",
    )
    assert (request.deadline_at - request.held_since).total_seconds() == 3600
    # Switched off, it is no longer offered for new requests.
    client.post(
        "/requests/categories/",
        {"code": "elevator", "name": "电梯困人", "default_urgency": "urgent", "deadline_hours": ""},
    )
    category.refresh_from_db()
    assert not category.is_active and category.deadline_hours is None
    assert Request.objects.filter(category=category).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "电梯", "name": "电梯困人", "default_urgency": "urgent"}, "编码应为"),
        ({"code": "lift", "name": "", "default_urgency": "urgent"}, "这个字段是必填项"),
        ({"code": "lift", "name": "电梯", "default_urgency": "soon"}, "选择一个有效的选项"),
        ({"code": "lift", "name": "电梯", "default_urgency": "high", "deadline_hours": "0"}, "1 至 720 小时"),
        (
            {"code": "lift", "name": "电梯", "default_urgency": "high", "deadline_hours": "两小时"},
            "请填写整数小时",
        ),
    ],
)
def test_bad_categories_are_refused_in_chinese(client_for, data, message):
    response = client_for("admin").post("/requests/categories/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RequestCategory.objects.filter(code="lift").exists()


@pytest.mark.parametrize("username", ["nanqiao", "grid-nq", "auditor", "zhengzhi", "zhian"])
def test_only_district_admins_configure_categories(client_for, username):
    client = client_for(username)
    assert client.get("/requests/categories/").status_code == 403
    response = client.post(
        "/requests/categories/", {"code": "lift", "name": "电梯", "default_urgency": "high"}
    )
    assert response.status_code == 403
    assert not RequestCategory.objects.filter(code="lift").exists()
