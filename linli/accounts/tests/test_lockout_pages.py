"""Lockout counted three ways: per account and address, per account across addresses, per address across
accounts; unknown usernames get exactly what known ones get; the client address behind a proxy."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory, override_settings

from linli.conftest import DEMO_PASSWORD
from linli.core.client import client_address

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_spraying_many_usernames_from_one_address_is_locked(settings):
    settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = 8  # each attempt runs the hasher: keep the test quick
    client = Client()
    for i in range(settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        assert _login(client, f"spray-{i}", "Spring2026!", "10.1.1.1").status_code == 200
    assert _login(client, "spray-last", "Spring2026!", "10.1.1.1").status_code == 429
    # The address is locked for every account, even with the right password …
    locked = _login(client, "nanqiao", DEMO_PASSWORD, "10.1.1.1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # … and only that address.
    assert _login(Client(), "nanqiao", DEMO_PASSWORD, "10.1.1.2").status_code == 302


def test_guesses_at_one_account_from_ten_addresses_are_locked(settings):
    per_address = settings.LINLI_LOGIN_ACCOUNT_FAILURE_LIMIT // 10 + 1
    assert per_address < settings.AXES_FAILURE_LIMIT  # no single address reaches its own limit
    for n in range(10):
        for _ in range(per_address):
            _login(Client(), "touqiao", "guess-2026", f"10.2.0.{n}")
    locked = _login(Client(), "touqiao", DEMO_PASSWORD, "10.2.0.99")
    assert locked.status_code == 429
    # Other accounts from a fresh address are unaffected.
    assert _login(Client(), "nanqiao", DEMO_PASSWORD, "10.2.0.99").status_code == 302


def _page(response) -> str:
    body = response.content.decode()
    body = re.sub(r"[A-Za-z0-9]{64}", "", body)  # CSRF tokens
    return re.sub(r'id="id_username"[^>]*>', "", body)


def test_unknown_users_get_the_identical_answer(settings):
    known, unknown = Client(), Client()
    first_known = _login(known, "officer-nq", "wrong-password-1", "10.3.0.1")
    first_unknown = _login(unknown, "officer-nx", "wrong-password-1", "10.3.0.2")
    assert first_known.status_code == first_unknown.status_code == 200
    assert _page(first_known) == _page(first_unknown)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last_known = _login(known, "officer-nq", "wrong-password-1", "10.3.0.1")
        last_unknown = _login(unknown, "officer-nx", "wrong-password-1", "10.3.0.2")
    assert last_known.status_code == last_unknown.status_code == 429
    assert _page(last_known) == _page(last_unknown)


def test_a_successful_sign_in_does_not_clear_its_address_count(settings):
    settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    client = Client()
    for i in range(settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        _login(client, f"spray-{i}", "Spring2026!", "10.4.0.1")
    assert _login(client, "grid-nq", DEMO_PASSWORD, "10.4.0.1").status_code == 302
    assert _login(Client(), "spray-x", "Spring2026!", "10.4.0.1").status_code == 429


def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy():
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(spoofed) == "203.0.113.9"
    with override_settings(LINLI_TRUSTED_PROXIES=["10.0.0.1"]):
        behind = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
        # The client wrote 1.2.3.4 itself; the proxy appended the address it saw.
        assert client_address(behind) == "198.51.100.7"
        assert client_address(spoofed) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted_and_audited(settings):
    from linli.audit.models import AuditEvent

    settings.LINLI_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    client = Client()
    for i in range(settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(
            "/login/",
            {"username": f"spray-{i}", "password": "Spring2026!"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    event = AuditEvent.objects.filter(action="auth.login_failed").latest("id")
    assert event.client_address == "198.51.100.7"
    # The sprayer is locked; another client behind the same proxy is not.
    other = client.post(
        "/login/",
        {"username": "nanqiao", "password": DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 302
