"""The collection-rate page and the address review queue, per persona."""

from __future__ import annotations

import pytest

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, TOUQIAO
from linli.org.models import Unit
from linli.registry.models import AddressReview, Resident
from linli.registry.services.addresses import address_register, resident_attach_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(persona):
    resident = Resident.objects.create(
        name="钱大爷",
        document_kind="none",
        phone="13800002222",
        residence_type="registered",
        unit_path=NQ_GRID,
    )
    review = resident_attach_address(actor=None, resident=resident, text="育秀路100弄12号4楼")
    assert review is not None
    return review


def test_collection_rate_page(client_for, persona, queued):
    address_register(actor=None, grid=Unit.objects.get(code=NQ_GRID), text="育秀路100弄12号401室")
    body = client_for("nanqiao").get(f"/registry/units/{NANQIAO}/").content.decode()
    assert "一标三实采集率" in body
    assert "0/1" in body  # one resident, none complete; one address, no housing yet
    assert Unit.objects.get(code=NQ_COMMUNITY).name in body
    assert client_for("grid-nq").get(f"/registry/units/{NQ_GRID}/").status_code == 200
    assert client_for("touqiao").get(f"/registry/units/{NANQIAO}/").status_code == 404
    assert client_for("zhian").get(f"/registry/units/{NANQIAO}/").status_code == 403
    assert "一标三实采集率" in client_for("nanqiao").get(f"/units/{NANQIAO}/").content.decode()
    assert "一标三实采集率" not in client_for("zhian").get(f"/units/{NANQIAO}/").content.decode()


def test_the_review_queue_settles_by_code_or_dismissal(client_for, queued):
    flat = address_register(actor=None, grid=Unit.objects.get(code=NQ_GRID), text="育秀路100弄12号401室")
    listing = client_for("officer-nq").get("/addresses/review/").content.decode()
    assert "育秀路100弄12号4楼" in listing and "未能识别" in listing
    assert "育秀路100弄12号4楼" not in client_for("grid-tq").get("/addresses/review/").content.decode()
    url = f"/addresses/review/{queued.pk}/"
    assert client_for("grid-tq").post(url, {"address_code": flat.code}).status_code == 404
    assert client_for("grid-nq").post(url, {"address_code": flat.code}).status_code == 403
    bad = client_for("officer-nq").post(url, {"address_code": "NOPE"}, follow=True).content.decode()
    assert "找不到地址编码" in bad
    client_for("officer-nq").post(url, {"address_code": flat.code})
    queued.refresh_from_db()
    assert queued.state == AddressReview.State.MATCHED
    assert Resident.objects.get(name="钱大爷").address == flat


def test_dismissing_keeps_the_resident_unmatched(client_for, queued):
    client_for("nanqiao").post(f"/addresses/review/{queued.pk}/", {"dismiss": "1"})
    queued.refresh_from_db()
    assert queued.state == AddressReview.State.DISMISSED
    assert Resident.objects.get(name="钱大爷").address is None
    assert client_for("touqiao").get(f"/registry/units/{TOUQIAO}/").status_code == 200
