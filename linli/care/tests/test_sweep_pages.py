"""Sweep pages, per persona: start, mark, see who is left, close."""

from __future__ import annotations

import pytest

from linli.care.models import Sweep
from linli.conftest import NQ_GRID
from linli.org.models import Unit
from linli.registry.addresses import address_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def flats():
    grid = Unit.objects.get(code=NQ_GRID)
    return [address_register(actor=None, grid=grid, text=f"育秀路100弄12号{room}室") for room in (101, 102)]


def test_the_sweep_journey_on_pages(client_for, flats):
    worker = client_for("grid-nq")
    assert "发起排查" in worker.get("/care/sweeps/").content.decode()
    started = worker.post("/care/sweeps/", {"title": "拍门行动", "kind": "knock", "unit": NQ_GRID})
    assert started.status_code == 302
    sweep = Sweep.objects.get()
    page = worker.get(f"/care/sweeps/{sweep.pk}/").content.decode()
    assert "育秀路100弄12号101室" in page and "未走访" in page
    first, second = sweep.households.order_by("address__key")
    worker.post(f"/care/sweeps/{sweep.pk}/households/{first.pk}/", {"outcome": "visited"})
    refused = worker.post(f"/care/sweeps/{sweep.pk}/close/", follow=True).content.decode()
    assert "1 户未走访" in refused
    worker.post(f"/care/sweeps/{sweep.pk}/households/{second.pk}/", {"outcome": "absent"})
    worker.post(f"/care/sweeps/{sweep.pk}/close/")
    sweep.refresh_from_db()
    assert sweep.state == Sweep.State.CLOSED


def test_sweep_pages_by_persona(client_for, flats):
    bad = client_for("grid-nq").post("/care/sweeps/", {"title": "", "kind": "knock", "unit": NQ_GRID})
    assert "请填写行动名称" in bad.content.decode()
    client_for("grid-nq").post("/care/sweeps/", {"title": "拍门", "kind": "knock", "unit": NQ_GRID})
    sweep = Sweep.objects.get()
    household = sweep.households.first()
    assert household is not None
    assert client_for("grid-tq").get(f"/care/sweeps/{sweep.pk}/").status_code == 404
    assert client_for("zhian").get(f"/care/sweeps/{sweep.pk}/").status_code == 404
    assert client_for("auditor").get(f"/care/sweeps/{sweep.pk}/").status_code == 200
    url = f"/care/sweeps/{sweep.pk}/households/{household.pk}/"
    assert client_for("auditor").post(url, {"outcome": "visited"}).status_code == 403
    assert client_for("grid-tq").post(url, {"outcome": "visited"}).status_code == 404
    assert (
        client_for("auditor")
        .post("/care/sweeps/", {"title": "x", "kind": "knock", "unit": NQ_GRID})
        .status_code
        == 403
    )
    assert (
        client_for("grid-tq")
        .post("/care/sweeps/", {"title": "x", "kind": "knock", "unit": NQ_GRID})
        .status_code
        == 404
    )
