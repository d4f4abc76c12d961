"""Key person pages, per persona: enrolling a resident, changing the pairing, a key person's page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.care.models import Contact, KeyPerson
from linli.care.tests.test_worklists_pages import ELDER_PHONE, GUARDIAN_PHONE, _body, make_key_persons
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


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


@pytest.mark.parametrize("username", ["grid-nq", "squad-nq", "officer-nq", "nanqiao", "auditor", "admin"])
def test_key_person_page_is_shown_inside_scope(client_for, people, username):
    response = client_for(username).get(f"/care/key-persons/{people['wang'].pk}/")
    body = _body(response)
    assert response.status_code == 200
    assert "试王老" in body
    assert "138****5678" in body
    assert "139****1234" in body  # the guardian, masked
    assert ELDER_PHONE not in body
    assert GUARDIAN_PHONE not in body
    assert "逾期 3 天" in body
    # Health details only for the care roles (VIEW_HEALTH); the auditor sees the ledger entry.
    health = username != "auditor"
    assert ("残疾人（2级）" in body) is health
    assert ("腿脚不便" in body) is health


@pytest.mark.parametrize("username", ["grid-tq", "touqiao", "zhian", "jingzhen", "angsu"])
def test_key_person_page_outside_scope_is_404(client_for, people, username):
    response = client_for(username).get(f"/care/key-persons/{people['wang'].pk}/")
    assert response.status_code == 404
    assert "未找到" in _body(response)


def test_key_person_page_shows_the_pairing_and_the_history_newest_first(client_for, people, persona):
    wang = people["wang"]
    grid_nq = persona("grid-nq")
    grid_nq.phone = "13611112222"
    grid_nq.save(update_fields=["phone"])
    now = timezone.now()
    for days, outcome in [(3, "较早的一次"), (1, "最近的一次")]:
        Contact.objects.create(
            key_person=wang, occurred_at=now - datetime.timedelta(days=days), kind="phone",
            recorded_by=grid_nq, outcome=outcome,
        )  # fmt: skip
    body = _body(client_for("grid-nq").get(f"/care/key-persons/{wang.pk}/"))
    assert body.index("最近的一次") < body.index("较早的一次")
    assert "联系记录（2）" in body
    assert 'href="tel:13611112222"' in body
    assert str(persona("squad-nq")) in body
    assert "登记联系" in body
    assert "登记联系" not in _body(client_for("auditor").get(f"/care/key-persons/{wang.pk}/"))
    assert client_for("admin").get("/care/key-persons/999999/").status_code == 404


def test_reading_a_key_persons_detail_is_audited(client_for, api_for):
    from django.utils import timezone

    from linli.audit.models import AuditEvent
    from linli.care.models import KeyPerson
    from linli.registry.models import Resident

    resident = Resident.objects.create(
        name="审计测试", document_kind="none", residence_type="registered", unit_path="310120.01.001.01"
    )
    key_person = KeyPerson.objects.create(
        resident=resident, unit_path=resident.unit_path, next_contact_due=timezone.localdate()
    )
    assert client_for("grid-nq").get(f"/care/key-persons/{key_person.pk}/").status_code == 200
    assert api_for("nanqiao").get(f"/api/v1/key-persons/{key_person.pk}").status_code == 200
    events = AuditEvent.objects.filter(action="key_person.view", object_id=str(key_person.pk))
    assert set(events.values_list("actor_username", flat=True)) == {"grid-nq", "nanqiao"}
