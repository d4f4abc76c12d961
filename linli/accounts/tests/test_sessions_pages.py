"""Signing in: argon2 hashes, one error for unknown user and wrong password, lockout after failures; session
limits (idle and absolute) with a Chinese message."""

from __future__ import annotations

import time

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


def _shift(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends_with_a_chinese_message(client_for, settings):
    client = client_for("grid-nq")
    assert client.get("/").status_code == 200
    _shift(client, "linli_seen", settings.LINLI_SESSION_IDLE_MINUTES * 60 - 30)
    assert client.get("/").status_code == 200  # still inside the limit, and the clock moves on
    _shift(client, "linli_seen", settings.LINLI_SESSION_IDLE_MINUTES * 60 + 5)
    response = client.get("/care/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?expired=1")
    login_page = client.get(response["Location"]).content.decode()
    assert "登录已超时，请重新登录" in login_page
    assert client.get("/")["Location"].startswith("/login/")


def test_a_session_ends_after_its_absolute_limit_however_busy(client_for, settings):
    client = client_for("grid-nq")
    client.get("/")
    _shift(client, "linli_started", settings.LINLI_SESSION_MAX_HOURS * 3600 + 5)
    _shift(client, "linli_seen", 10)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "登录已超时，请重新登录"
