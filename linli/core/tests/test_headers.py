"""Security headers: every HTML page carries the Content-Security-Policy and the other headers, and no
template holds inline script or style that the policy would refuse (docs/security.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def _plain_routes() -> list[str]:
    """Every page of the URL conf that takes no argument (a new page is covered without a list)."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if "<" in route or route.startswith("^"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            else:
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _assert_headers(path: str, response) -> None:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{path} ({response.status_code}) has no Content-Security-Policy"
    assert _directives(policy) == POLICY, f"{path}: {policy}"
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] == "same-origin", path
    features = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in features, (path, features)


def test_every_html_page_carries_the_security_headers(client_for):
    paths = [
        *_plain_routes(),
        f"/units/{NANQIAO}/",
        f"/units/{NQ_COMMUNITY}/",
        f"/g/{NQ_GRID}/ask",
        "/c/" + "x" * 43,
        "/no-such-page/",
    ]
    seen_html = 0
    for who in (None, "nanqiao"):
        client = client_for(who) if who else Client()
        for path in paths:
            response = client.get(path)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            seen_html += 1
            _assert_headers(path, response)
    # Pages, login and error pages of both visitors were looked at, not a handful.
    assert seen_html >= 20, seen_html


def test_the_love_card_finder_keeps_its_same_origin_referrer_and_the_policy(client):
    response = client.get("/c/" + "x" * 43)
    assert response.status_code == 404
    _assert_headers("/c/…", response)


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"\bhx-on\b", re.I), "an hx-on handler (needs eval)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_holds_inline_script_or_style():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(TEMPLATES)}:{line}: {what}")
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style(client_for):
    body = client_for("nanqiao").get("/units/").content.decode()
    assert '"includeIndicatorStyles": false' in body
    stylesheet = (TEMPLATES.parent / "static" / "linli" / "linli.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in stylesheet
