"""Taking a person off the ledger from the key person page and the API."""

from __future__ import annotations

import datetime

import pytest

from linli.care.models import KeyPerson
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def elder(persona):
    resident = Resident.objects.create(
        name="蒋老伯",
        document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1938, 2, 3), 23, "M"),
        residence_type="registered",
        unit_path=NQ_GRID,
    )
    return key_person_enrol(
        actor=persona("officer-nq"),
        resident=resident,
        categories=[CategoryInput("living_alone")],
        responsible=persona("grid-nq"),
    )


def test_the_page_removes_with_a_reason(client_for, elder):
    client = client_for("officer-nq")
    detail = client.get(f"/care/key-persons/{elder.pk}/").content.decode()
    assert f'href="/care/key-persons/{elder.pk}/remove/"' in detail
    response = client.post(f"/care/key-persons/{elder.pk}/remove/", {"reason": ""})
    assert response.status_code == 200 and "请填写移出原因" in response.content.decode()
    assert KeyPerson.objects.get(pk=elder.pk).is_active
    response = client.post(f"/care/key-persons/{elder.pk}/remove/", {"reason": "已随子女迁往外区"})
    assert response.status_code == 302
    detail = client.get(f"/care/key-persons/{elder.pk}/").content.decode()
    assert "移出台账：已随子女迁往外区" in detail
    assert elder.resident.name not in client_for("grid-nq").get("/care/").content.decode()


@pytest.mark.parametrize(
    ("username", "status"), [("grid-nq", 403), ("auditor", 403), ("grid-tq", 404), ("touqiao", 404)]
)
def test_only_care_managers_in_scope_remove(client_for, elder, username, status):
    client = client_for(username)
    assert client.post(f"/care/key-persons/{elder.pk}/remove/", {"reason": "x"}).status_code == status
    assert KeyPerson.objects.get(pk=elder.pk).is_active


def test_the_api_removes_with_a_reason(api_for, elder):
    url = f"/api/v1/key-persons/{elder.pk}/remove"
    response = api_for("officer-nq").post(url, {"reason": " "}, content_type="application/json")
    assert response.status_code == 422 and "请填写移出原因" in response.json()["detail"]
    assert api_for("grid-nq").post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    assert api_for("grid-tq").post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    response = api_for("officer-nq").post(url, {"reason": "已康复"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    again = api_for("officer-nq").post(url, {"reason": "已康复"}, content_type="application/json")
    assert again.status_code == 422 and "已不在" in again.json()["detail"]
