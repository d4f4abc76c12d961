"""Input with a NUL character is refused with a 422 (API) or 400 (pages), never a database error."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db


def test_api_parameters_and_bodies_with_nul_are_refused(api_for):
    api = api_for("nanqiao")
    response = api.get("/api/v1/residents", {"q": "王\x00"})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求中含有无效字符（NUL）"
    body = json.dumps({"category": "other\x00", "text": "路灯坏了", "unit": "310120.01.001.01"})
    assert "\\u0000" in body
    response = api.post("/api/v1/requests", body, content_type="application/json")
    assert response.status_code == 422
    # The same request without the NUL is not refused by the guard.
    assert api.get("/api/v1/residents", {"q": "王"}).status_code == 200


def test_pages_with_nul_in_the_query_or_form_are_refused(client_for):
    client = client_for("nanqiao")
    assert client.get("/residents/", {"name": "王\x00"}).status_code == 400
    form = urlencode({"title": "敲门\x00", "kind": "knock"})
    assert (
        client.post("/care/sweeps/", form, content_type="application/x-www-form-urlencoded").status_code
        == 400
    )
    assert client.get("/residents/", {"name": "王"}).status_code == 200
