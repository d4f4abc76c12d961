"""Enrolling a resident and changing the pairing through the pages, per persona."""

from __future__ import annotations

import datetime

import pytest

from linli.audit.models import AuditEvent
from linli.care.models import KeyPerson
from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    id_number = make_id_number("310120", datetime.date(1939, 9, 9), 31, "M")
    return Resident.objects.create(
        name="冯老伯",
        document_kind="id_card",
        id_number=id_number,
        residence_type="registered",
        unit_path=NQ_GRID,
    )


def test_enrol_from_the_resident_page(client_for, persona, resident):
    officer = client_for("officer-nq")
    assert "列入重点人员" in officer.get(f"/residents/{resident.pk}/").content.decode()
    assert "列入重点人员" not in client_for("grid-nq").get(f"/residents/{resident.pk}/").content.decode()
    url = f"/care/residents/{resident.pk}/enrol/"
    form = officer.get(url).content.decode()
    assert persona("grid-nq").display_name in form  # the grid's worker can be paired
    bad = officer.post(url, {"category": ["disabled"], "risk_level": "low"}).content.decode()
    assert "残疾等级" in bad
    bad_phone = officer.post(
        url, {"category": ["living_alone"], "guardian_name": "冯女儿", "guardian_phone": "123"}
    ).content.decode()
    assert "监护人电话" in bad_phone
    response = officer.post(
        url,
        {
            "category": ["living_alone", "dementia_wandering"], "risk_level": "high",
            "responsible": persona("grid-nq").pk, "guardian_name": "冯女儿", "guardian_relation": "女儿",
            "guardian_phone": "13900001111",
        },
    )  # fmt: skip
    assert response.status_code == 302
    key_person = KeyPerson.objects.get(resident=resident)
    assert (key_person.cadence_days, key_person.responsible) == (3, persona("grid-nq"))
    assert key_person.guardians.get().phone == "13900001111"
    assert client_for("grid-nq").get(url).status_code == 403
    assert client_for("grid-tq").get(url).status_code == 404


def test_reassign_page(client_for, persona, resident):
    client_for("officer-nq").post(
        f"/care/residents/{resident.pk}/enrol/",
        {"category": ["empty_nest"], "responsible": persona("grid-nq").pk},
    )
    key_person = KeyPerson.objects.get(resident=resident)
    url = f"/care/key-persons/{key_person.pk}/reassign/"
    assert (
        "调整原因"
        in client_for("nanqiao").post(url, {"responsible": persona("squad-nq").pk}).content.decode()
    )
    client_for("nanqiao").post(url, {"responsible": persona("squad-nq").pk, "reason": "网格员调岗"})
    key_person.refresh_from_db()
    assert key_person.responsible == persona("squad-nq")
    assert AuditEvent.objects.filter(action="key_person.reassign", reason="网格员调岗").exists()
    assert client_for("grid-nq").get(url).status_code == 403
    assert client_for("touqiao").get(url).status_code == 404
