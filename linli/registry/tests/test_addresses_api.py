"""The /api/v1/ address, housing and business endpoints per persona: scoped, phones masked."""

from __future__ import annotations

import pytest

from linli.conftest import NQ_GRID, TQ_GRID
from linli.org.models import Unit
from linli.registry.models import Address, Business, Housing
from linli.registry.tests.test_residents_pages import make_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return make_people()


@pytest.fixture
def places(people):
    zhang_address = people["zhang"].address
    tq_grid = Unit.objects.get(code=TQ_GRID)
    tq_address = Address.objects.create(
        code="T-310120.09-1", station_path="310120.09", key="头桥路|1号", grid=tq_grid, unit_path=TQ_GRID,
        locality="头桥路", number="1号", full_text="头桥路1号",
    )  # fmt: skip
    Housing.objects.create(
        address=zhang_address,
        unit_path=NQ_GRID,
        usage="rented",
        owner_name="试房东",
        owner_phone="13611112222",
    )
    Housing.objects.create(address=tq_address, unit_path=TQ_GRID, usage="vacant")
    Business.objects.create(
        name="试小店", kind="shop", address=zhang_address, unit_path=NQ_GRID,
        contact_name="试店主", contact_phone="021-57123456",
    )  # fmt: skip
    Business.objects.create(name="试头桥厂", kind="enterprise", unit_path=TQ_GRID)
    return {"nq": zhang_address, "tq": tq_address}


def test_addresses_housing_and_businesses_are_scoped(api_for, places):
    grid = api_for("grid-nq")
    addresses = grid.get("/api/v1/addresses").json()
    assert [a["code"] for a in addresses["items"]] == ["T-310120.01-1"]
    assert addresses["items"][0]["full_text"] == "育秀路100弄12号401室"
    housing = grid.get("/api/v1/housing").json()["items"]
    assert [(h["usage_label"], h["owner_phone"]) for h in housing] == [("出租", "136****2222")]
    assert "13611112222" not in grid.get("/api/v1/housing").content.decode()
    businesses = grid.get("/api/v1/businesses").json()["items"]
    assert [(b["name"], b["contact_phone"]) for b in businesses] == [("试小店", "021-****3456")]
    assert "57123456" not in grid.get("/api/v1/businesses").content.decode()
    admin = api_for("admin")
    assert {a["code"] for a in admin.get("/api/v1/addresses").json()["items"]} >= {
        "T-310120.01-1",
        "T-310120.09-1",
    }
    assert {b["name"] for b in admin.get("/api/v1/businesses").json()["items"]} >= {"试小店", "试头桥厂"}
    for url in ("/api/v1/addresses", "/api/v1/housing", "/api/v1/businesses"):
        assert api_for("zhian").get(url).json() == {"count": 0, "page": 1, "page_size": 50, "items": []}
        assert "T-310120.01-1" not in api_for("grid-tq").get(url).content.decode()
        assert "试小店" not in api_for("grid-tq").get(url).content.decode()
