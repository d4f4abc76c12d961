"""Production settings (README, docs/security.md): `linli check --deploy` gives no warning with them, and
behind LINLI_HTTPS the site redirects to HTTPS and sends HSTS for a year, subdomains included."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from linli.core.tests.scratch_db import REPO_ROOT


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    """The documented production settings (README's settings table), with throwaway secrets."""
    env = {
        **os.environ,
        "LINLI_DEBUG": "0",
        "LINLI_HTTPS": "1",
        "LINLI_SECRET_KEY": secrets.token_urlsafe(50),
        "LINLI_ALLOWED_HOSTS": "linli.fx.example",
        "LINLI_CSRF_TRUSTED_ORIGINS": "https://linli.fx.example",
        "LINLI_DEMO_PASSWORD": secrets.token_urlsafe(16),
        "LINLI_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        **extra,
    }
    for unset in ("LINLI_SECURE_COOKIES", "LINLI_TRUST_PROXY", "LINLI_HSTS_PRELOAD"):
        if unset not in extra:
            env.pop(unset, None)
    return env


def _linli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linli", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_check_deploy_gives_no_warning_with_the_production_settings(tmp_path):
    result = _linli(["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_warns_when_https_is_off(tmp_path):
    result = _linli(
        ["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path, LINLI_HTTPS="0")
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output, output


def test_the_proxy_header_is_trusted_only_when_configured(tmp_path):
    show = (
        "import json; from django.conf import settings as s; print(json.dumps([s.SECURE_PROXY_SSL_HEADER,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT]))"
    )
    plain = _linli(["shell", "-c", show], _production_env(tmp_path))
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout.strip().splitlines()[-1]) == [None, 31536000, True, True, True, True]
    proxied = _linli(["shell", "-c", show], _production_env(tmp_path, LINLI_TRUST_PROXY="1"))
    assert proxied.returncode == 0, proxied.stderr
    assert json.loads(proxied.stdout.strip().splitlines()[-1])[0] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_behind_https_plain_http_is_redirected_and_hsts_is_sent(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"
    secure = Client().get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Content-Security-Policy" in secure
    proxied = Client().get("/login/", headers={"x-forwarded-proto": "https"})
    assert proxied.status_code == 200
