"""The sweep endpoints, per persona."""

from __future__ import annotations

import pytest

from linli.conftest import NQ_GRID
from linli.org.models import Unit
from linli.registry.services.addresses import address_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def flats():
    grid = Unit.objects.get(code=NQ_GRID)
    return [address_register(actor=None, grid=grid, text=f"育秀路100弄12号{room}室") for room in (101, 102)]


def test_a_sweep_through_the_api(api_for, flats):
    worker = api_for("grid-nq")
    created = worker.post(
        "/api/v1/sweeps",
        {"unit": NQ_GRID, "kind": "knock", "title": "拍门行动"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    sweep = created.json()
    assert (sweep["households"], sweep["unaccounted"]) == (2, 2)
    detail = worker.get(f"/api/v1/sweeps/{sweep['id']}").json()
    first = detail["unvisited"][0]["id"]
    marked = worker.post(
        f"/api/v1/sweeps/{sweep['id']}/households/{first}",
        {"outcome": "visited"},
        content_type="application/json",
    )
    assert marked.json()["outcome_label"] == "已走访"
    refused = worker.post(f"/api/v1/sweeps/{sweep['id']}/close", {}, content_type="application/json")
    assert refused.status_code == 422
    assert "1 户未走访" in refused.json()["detail"]
    assert [s["id"] for s in worker.get("/api/v1/sweeps").json()] == [sweep["id"]]
    assert api_for("grid-tq").get(f"/api/v1/sweeps/{sweep['id']}").status_code == 404
    assert (
        api_for("auditor")
        .post(f"/api/v1/sweeps/{sweep['id']}/close", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    closed = api_for("officer-nq").post(
        f"/api/v1/sweeps/{sweep['id']}/close", {"reason": "一户长期外出"}, content_type="application/json"
    )
    assert closed.json()["state"] == "closed"


def test_bad_sweep_input_is_422_in_chinese(api_for, flats):
    response = api_for("grid-nq").post(
        "/api/v1/sweeps", {"unit": NQ_GRID, "kind": "dance", "title": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "排查类型无效"
    assert (
        api_for("grid-tq")
        .post(
            "/api/v1/sweeps",
            {"unit": NQ_GRID, "kind": "knock", "title": "x"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
