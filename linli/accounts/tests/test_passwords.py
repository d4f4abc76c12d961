"""Password policy in Chinese, changing one's own password, and a change forced by a security admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from linli.accounts.services.passwords import password_force_change
from linli.audit.models import AuditEvent
from linli.conftest import DEMO_PASSWORD
from linli.core.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("linli-26", "至少 10 个字符"),
        ("13800138000", "不能全是数字"),
        ("abcdefghijkl", "不能全是字母"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, message):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert any(message in m for m in caught.value.messages)


def test_the_demo_password_satisfies_the_policy():
    validate_password(DEMO_PASSWORD)


def test_users_change_their_own_password(client_for):
    client = client_for("grid-nq")
    mismatch = client.post(
        "/account/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password": "xin-kouling-7",
            "new_password_again": "xin-kouling-8",
        },
    )
    assert "两次输入的新口令不一致" in mismatch.content.decode()
    weak = client.post(
        "/account/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password": "1234567890123",
            "new_password_again": "1234567890123",
        },
    )
    assert "不能全是数字" in weak.content.decode()
    wrong_old = client.post(
        "/account/password/",
        {
            "old_password": "not-it-2026",
            "new_password": "xin-kouling-7",
            "new_password_again": "xin-kouling-7",
        },
    )
    assert "原口令不正确" in wrong_old.content.decode()
    done = client.post(
        "/account/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password": "xin-kouling-7",
            "new_password_again": "xin-kouling-7",
        },
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this session stays signed in
    assert Client().post("/login/", {"username": "grid-nq", "password": "xin-kouling-7"}).status_code == 302
    assert AuditEvent.objects.filter(action="password.change", actor_username="grid-nq").exists()


def test_a_security_admin_forces_a_change_at_the_next_request(client_for, persona):
    client = client_for("squad-nq")
    with pytest.raises(ServiceError):
        password_force_change(actor=persona("admin"), user=persona("squad-nq"), reason="口令泄露")
    response = client_for("secadmin").post(
        "/account/security/squad-nq/", {"action": "force_password", "reason": "口令泄露"}
    )
    assert response.status_code == 302
    for path in ("/", "/care/", "/account/tokens/"):
        assert client.get(path)["Location"].startswith("/account/password/"), path
    assert client.get("/api/v1/me").status_code == 401
    token = Client().post(
        "/api/v1/auth/token",
        {"username": "squad-nq", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 403
    page = client.get("/account/password/").content.decode()
    assert "安全保密管理员要求您修改口令" in page
    client.post(
        "/account/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password": "xin-kouling-9",
            "new_password_again": "xin-kouling-9",
        },
    )
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="password.force_change", actor_username="secadmin").exists()


def test_a_security_admin_does_not_act_on_their_own_account(persona):
    with pytest.raises(ServiceError, match="不能对自己的账号"):
        password_force_change(actor=persona("secadmin"), user=persona("secadmin"), reason="测试")
