"""The baseline page of the hot-path benchmark (bench/http.py): signed in only, the user's own username only,
behind the same middleware as every page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/bench/baseline"


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/bench/baseline")


def test_a_signed_in_user_gets_their_own_username_as_text(client_for):
    response = client_for("grid-nq").get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "grid-nq"
    # The headers every page carries.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers


def test_it_waits_behind_the_account_gate_like_every_page(client_for, settings):
    settings.LINLI_2FA_REQUIRED = True
    response = client_for("nanqiao").get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/setup/")


def test_it_only_reads(client_for):
    assert client_for("grid-nq").post(URL).status_code == 405
