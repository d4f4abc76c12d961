"""Sweep pages, per persona: start, mark, see who is left, close."""

from __future__ import annotations

import pytest

from linli.care.models import Sweep
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2, TOUQIAO, TQ_GRID
from linli.org.models import Unit
from linli.registry.services.addresses import address_register

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


# Open sweeps on a unit's care page.


def _sweeps_section(body: str) -> str:
    return body[body.index('id="sweeps"') : body.index('id="rates"')]


@pytest.fixture
def sweeps(persona, flats):
    """An open sweep in grid-nq's grid (one of two households marked), a closed one, and one in 头桥."""
    from linli.care.services.sweeps import sweep_close, sweep_mark, sweep_start

    grid = Unit.objects.get(code=NQ_GRID)
    worker = persona("grid-nq")
    open_sweep = sweep_start(actor=worker, unit=grid, kind="knock", title="试拍门行动")
    first = open_sweep.households.order_by("address__key").first()
    assert first is not None
    sweep_mark(actor=worker, household=first, outcome="absent")
    closed = sweep_start(actor=worker, unit=grid, kind="door_knock", title="试上月敲门")
    sweep_close(actor=persona("officer-nq"), sweep=closed, reason="并入新一轮")
    tq_grid = Unit.objects.get(code=TQ_GRID)
    address_register(actor=None, grid=tq_grid, text="头桥路1号101室")
    other = sweep_start(actor=persona("grid-tq"), unit=tq_grid, kind="knock", title="试头桥拍门")
    return {"open": open_sweep, "closed": closed, "other": other}


@pytest.mark.parametrize(
    ("username", "code"),
    [("nanqiao", NANQIAO), ("officer-nq", NQ_COMMUNITY), ("grid-nq", NQ_GRID), ("auditor", NANQIAO)],
)
def test_a_units_page_shows_its_open_sweeps_with_coverage(client_for, sweeps, username, code):
    body = client_for(username).get(f"/care/units/{code}/").content.decode()
    section = _sweeps_section(body)
    assert "进行中的排查行动（1）" in section
    assert f'href="/care/sweeps/{sweeps["open"].pk}/">试拍门行动</a>' in section
    assert "已排查 <b>1</b>/2 户" in section
    assert "未走访 1 户" in section
    assert '<progress max="2" value="1"' in section
    assert "试上月敲门" not in body  # closed
    assert "试头桥拍门" not in body  # another station's
    assert 'href="#sweeps"' in body


def test_a_station_page_shows_only_its_own_sweeps(client_for, sweeps):
    section = _sweeps_section(client_for("touqiao").get(f"/care/units/{TOUQIAO}/").content.decode())
    assert "试头桥拍门" in section
    assert "已排查 <b>0</b>/1 户" in section
    assert "试拍门行动" not in section


def test_a_fully_covered_sweep_says_so_and_a_unit_without_sweeps_says_none(client_for, persona, sweeps):
    from linli.care.services.sweeps import sweep_mark

    for household in sweeps["open"].households.filter(outcome="pending").select_related("sweep"):
        sweep_mark(actor=persona("grid-nq"), household=household, outcome="visited")
    section = _sweeps_section(client_for("nanqiao").get(f"/care/units/{NANQIAO}/").content.decode())
    assert "已排查 <b>2</b>/2 户" in section
    assert "已全部排查" in section
    empty = _sweeps_section(client_for("nanqiao").get(f"/care/units/{NQ_GRID_2}/").content.decode())
    assert "目前没有进行中的排查行动" in empty


def test_the_station_page_queries_do_not_grow_with_sweeps(client_for, persona, sweeps):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.care.services.sweeps import sweep_start

    client = client_for("nanqiao")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/care/units/{NANQIAO}/")
    for n in range(4):
        sweep_start(
            actor=persona("grid-nq"), unit=Unit.objects.get(code=NQ_GRID), kind="knock", title=f"试{n}"
        )
    with CaptureQueriesContext(connection) as five:
        body = client.get(f"/care/units/{NANQIAO}/").content.decode()
    assert "进行中的排查行动（5）" in body
    assert len(five) == len(one)


def test_the_sweep_says_where_it_is_unless_it_is_the_page_unit_itself(client_for, sweeps):
    grid = Unit.objects.select_related("parent").get(code=NQ_GRID)
    assert grid.parent is not None
    client = client_for("nanqiao")
    station = _sweeps_section(client.get(f"/care/units/{NANQIAO}/").content.decode())
    assert f"{grid.parent.name} {grid.name} · " in station
    community = _sweeps_section(client.get(f"/care/units/{NQ_COMMUNITY}/").content.decode())
    assert f"{grid.name} · " in community
    assert f"{grid.parent.name} {grid.name}" not in community
    own = _sweeps_section(client.get(f"/care/units/{NQ_GRID}/").content.decode())
    assert f"{grid.name} · " not in own
