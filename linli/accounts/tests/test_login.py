"""Signing in: argon2 hashes, one error for unknown user and wrong password, lockout after failures."""

from __future__ import annotations

import pytest
from django.test import Client

from linli.audit.models import AuditEvent
from linli.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_good_credentials_sign_in_and_are_audited(client):
    response = _login(client, "grid-nq", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert "您好" in home.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", actor_username="grid-nq").exists()


def test_passwords_are_stored_with_argon2(persona):
    assert persona("grid-nq").password.startswith("argon2")


def test_unknown_user_and_wrong_password_get_the_same_answer(client):
    wrong = _login(client, "grid-nq", "wrong-password")
    unknown = _login(client, "no-such-user", "wrong-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "用户名或口令不正确" in wrong.content.decode()
    assert "用户名或口令不正确" in unknown.content.decode()
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    # An unknown username's failure is written for every district's auditors: the same two usernames.
    assert {e.detail["username"] for e in failures} == {"grid-nq", "no-such-user"}
    assert all("wrong-password" not in str(e.detail) for e in failures)


def test_lockout_after_repeated_failures_even_with_the_right_password(settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "touqiao", "wrong").status_code == 200
    locked = _login(client, "touqiao", "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    right = _login(client, "touqiao", DEMO_PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_does_not_block_another(settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "touqiao", "wrong")
    assert _login(client, "nanqiao", DEMO_PASSWORD).status_code == 302


def test_api_token_endpoint_locks_out_too(settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/auth/token", {"username": "angsu", "password": "x"}, content_type="application/json"
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "angsu", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json() == {"detail": "登录失败次数过多，请稍后再试"}


def test_inactive_users_cannot_sign_in(client, persona):
    user = persona("grid-tq")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert "用户名或口令不正确" in _login(client, "grid-tq", DEMO_PASSWORD).content.decode()


def test_logout_is_a_post(client_for):
    client = client_for("grid-nq")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
