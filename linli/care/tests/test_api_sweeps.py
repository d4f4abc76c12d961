"""The sweep endpoints and the love card's public endpoint, per persona."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from linli.care.models import LoveCardScan
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import love_card_issue
from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.addresses import address_register
from linli.registry.models import Resident

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


def test_the_public_love_card_endpoint(persona, settings):
    settings.LINLI_NOTIFY_CHANNELS = ["database"]
    id_number = make_id_number("310120", datetime.date(1940, 2, 2), 22, "F")
    resident = Resident.objects.create(
        name="王秀英",
        document_kind="id_card",
        id_number=id_number,
        residence_type="registered",
        unit_path=NQ_GRID,
    )
    key_person = key_person_enrol(
        actor=persona("nanqiao"), resident=resident, categories=[CategoryInput("dementia_wandering")],
        guardians=[("李建国", "儿子", "13900009876")],
    )  # fmt: skip
    card = love_card_issue(actor=persona("nanqiao"), key_person=key_person)
    body = Client().get(f"/api/v1/love-cards/{card.token}").json()
    assert body == {
        "given_name": "秀英",
        "guardian_phones": [{"relation": "儿子", "phone": "13900009876"}],
        "station_name": "南桥派出所",
        "station_phone": "021-57101110",
    }
    assert LoveCardScan.objects.count() == 1
    assert Client().get("/api/v1/love-cards/" + "A" * 43).status_code == 404
