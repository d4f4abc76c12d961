"""Health details of key persons (PIPL Art. 28) per role: care roles see them, the others do not.

The decision is in docs/security.md ("Masks and health details"): grid workers, squad leaders, community
officers, station offices and the district's business office do the care work and see health categories,
grades, treatments, needs and contact notes. The auditor sees that a person is on the ledger, the social
categories and who their contact is; departments, the political office and the 三员 administrators see
no key person at all.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.accounts.models import ROLE_CAPABILITIES, Capability, Role, User
from linli.care.models import Vaccination
from linli.care.selectors.key_persons import HEALTH_WITHHELD
from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import love_card_issue
from linli.conftest import NQ_GRID
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db

# Words that only a reader with VIEW_HEALTH may meet on the key person's page and in its API answers.
HEALTH_WORDS = [
    "残疾人",
    "危重病人",
    "认知障碍走失风险",
    "透析",
    "3级",
    "需要透析接送",
    "血压偏高",
    "腿脚不便",
]
CARE_READERS = ["grid-nq", "squad-nq", "officer-nq", "nanqiao", "admin"]
WITHHELD_READERS = ["auditor"]
NO_KEY_PERSONS = ["zhian", "jingzhen", "zhengzhi", "sysadmin"]


@pytest.fixture
def sick(persona):
    today = timezone.localdate()
    resident = Resident.objects.create(
        name="试健康", document_kind="none", birth_date=today.replace(year=today.year - 75),
        residence_type="registered", unit_path=NQ_GRID, phone="13900001111",
    )  # fmt: skip
    Vaccination.objects.create(
        resident=resident,
        unit_path=NQ_GRID,
        status="none",
        reason="contraindication",
        recorded_by=persona("nanqiao"),
    )
    key_person = key_person_enrol(
        actor=persona("nanqiao"),
        resident=resident,
        categories=[
            CategoryInput("living_alone"),
            CategoryInput("disabled", disability_grade=3),
            CategoryInput("critically_ill", treatment="透析"),
            CategoryInput("dementia_wandering"),
        ],
        responsible=persona("grid-nq"),
        needs_note="需要透析接送",
        guardians=[("试家属", "女儿", "13900002222")],
    )
    contact_log(
        actor=persona("grid-nq"), key_person=key_person, occurred_at=timezone.now(), kind="visit",
        outcome="血压偏高", needs_found="腿脚不便，需代购药品",
    )  # fmt: skip
    love_card_issue(actor=persona("nanqiao"), key_person=key_person)
    return key_person


def test_the_grants_follow_the_decision():
    with_health = {role for role, caps in ROLE_CAPABILITIES.items() if Capability.VIEW_HEALTH in caps}
    assert with_health == {
        Role.GRID_WORKER, Role.SQUAD_LEADER, Role.COMMUNITY_OFFICER, Role.STATION_OFFICE, Role.DISTRICT_ADMIN
    }  # fmt: skip
    # Whoever logs contacts or manages the ledger works with health details: they must see them.
    for role, caps in ROLE_CAPABILITIES.items():
        if Capability.LOG_CONTACTS in caps or Capability.MANAGE_CARE in caps:
            assert Capability.VIEW_HEALTH in caps, role


@pytest.mark.parametrize("username", CARE_READERS)
def test_care_roles_see_the_health_details(client_for, api_for, sick, username):
    page = client_for(username).get(f"/care/key-persons/{sick.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    for word in HEALTH_WORDS:
        assert word in body, word
    assert HEALTH_WITHHELD not in body
    api = api_for(username)
    detail = api.get(f"/api/v1/key-persons/{sick.pk}").json()
    assert detail["health_visible"] is True
    assert {c["category"] for c in detail["categories"]} == {
        "living_alone", "disabled", "critically_ill", "dementia_wandering"
    }  # fmt: skip
    assert detail["needs_note"] == "需要透析接送"
    contacts = api.get(f"/api/v1/key-persons/{sick.pk}/contacts").json()["items"]
    assert contacts[0]["outcome"] == "血压偏高"
    assert "当前卡片" in client_for(username).get(f"/care/love-cards/{sick.pk}/").content.decode()
    assert "有禁忌症" in client_for(username).get(f"/care/units/{NQ_GRID}/vaccination/").content.decode()


@pytest.mark.parametrize("username", WITHHELD_READERS)
def test_the_auditor_sees_the_ledger_entry_and_the_contact_not_the_health(
    client_for, api_for, sick, username
):
    client = client_for(username)
    page = client.get(f"/care/key-persons/{sick.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "试健康" in body
    assert "独居老人" in body  # a social category, not a health one
    assert str(User.objects.get(username="grid-nq")) in body  # who their contact is
    assert HEALTH_WITHHELD in body
    for word in HEALTH_WORDS:
        assert word not in body, word
    # The worklist of the grid and the love card page say nothing more.
    unit_page = client.get(f"/care/units/{NQ_GRID}/").content.decode()
    for word in HEALTH_WORDS:
        assert word not in unit_page, word
    # A love card is issued for a wandering risk: whether there is one is not shown.
    card_page = client.get(f"/care/love-cards/{sick.pk}/")
    assert card_page.status_code == 200
    assert HEALTH_WITHHELD in card_page.content.decode()
    assert "当前卡片" not in card_page.content.decode()
    # The vaccination list keeps the status, not the medical reason.
    vaccination = client.get(f"/care/units/{NQ_GRID}/vaccination/")
    assert vaccination.status_code == 200
    assert "试健康" in vaccination.content.decode()
    assert "有禁忌症" not in vaccination.content.decode()
    api = api_for(username)
    answer = api.get(f"/api/v1/key-persons/{sick.pk}")
    assert answer.status_code == 200
    detail = answer.json()
    assert detail["health_visible"] is False
    assert [c["category"] for c in detail["categories"]] == ["living_alone"]
    assert detail["needs_note"] == ""
    assert detail["responsible"]["name"] == str(User.objects.get(username="grid-nq"))
    for word in HEALTH_WORDS:
        assert word not in answer.content.decode(), word
    listing = api.get("/api/v1/key-persons").content.decode()
    due = api.get("/api/v1/worklists/contacts-due").content.decode()
    contacts = api.get(f"/api/v1/key-persons/{sick.pk}/contacts")
    assert contacts.json()["items"][0]["outcome"] == ""
    assert "试健康" in listing
    for text in (listing, due, contacts.content.decode()):
        for word in HEALTH_WORDS:
            assert word not in text, word


@pytest.mark.parametrize("username", NO_KEY_PERSONS)
def test_roles_without_personal_data_see_no_key_person(client_for, sick, username):
    assert client_for(username).get(f"/care/key-persons/{sick.pk}/").status_code == 404
