"""Every read of personal data writes exactly one audit event (one per page view or API answer, not one
per row), with the action and the unit an auditor looks for: searches (by full ID number too, without
the number in the log), lists of residents and key persons, the address page, hazard and sweep
details, requests and their timelines, Open311, the vaccination list and every love-card scan."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services.api_tokens import api_token_issue
from linli.audit.models import AuditEvent
from linli.audit.services.reads import ID_NUMBER_SEARCH
from linli.care.models import Category
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import love_card_issue
from linli.care.services.sweeps import sweep_start
from linli.conftest import NANQIAO, NQ_GRID
from linli.lib.idcard import make_id_number
from linli.needs.models import RequestCategory
from linli.needs.services.requests import request_file
from linli.org.models import Unit
from linli.registry.models import Resident
from linli.registry.services.addresses import address_register
from linli.safety.services.hazards import hazard_record

pytestmark = pytest.mark.django_db

JSON = "application/json"
ID_NUMBER = make_id_number("310120", datetime.date(1942, 3, 4), 31, "M")


@dataclass
class World:
    grid: Unit
    resident: Resident
    ids: dict[str, Any]
    page: Client
    api: Client
    anonymous: Client
    token: str


@pytest.fixture
def world() -> World:
    owner = User.objects.get(username="nanqiao")
    grid = Unit.objects.get(path=NQ_GRID)
    address = address_register(actor=None, grid=grid, text="审计路1号101室")
    resident = Resident.objects.create(
        name="审计测试老人", document_kind="id_card", id_number=ID_NUMBER, sex="M",
        birth_date=datetime.date(1942, 3, 4), phone="13900007777", phone_last4="7777",
        residence_type="registered", unit_path=grid.path, address=address,
    )  # fmt: skip
    key_person = key_person_enrol(
        actor=owner, resident=resident, categories=[CategoryInput(Category.DEMENTIA_WANDERING)],
        guardians=[("审计女儿", "女儿", "13900008888")],
    )  # fmt: skip
    card = love_card_issue(actor=owner, key_person=key_person)
    sweep = sweep_start(actor=owner, unit=grid, kind="door_knock", title="审计排查")
    category = RequestCategory.objects.filter(is_active=True).order_by("pk").first()
    assert category is not None
    request = request_file(
        actor=owner, category=category, channel="visit", text="审计诉求", unit=grid, resident=resident,
        caller_name=resident.name, caller_phone=resident.phone,
    )  # fmt: skip
    hazard = hazard_record(
        actor=owner, unit=grid, kind="gas", risk_level="medium", source="check", description="审计隐患",
        responsible_party="住户", deadline=timezone.localdate() + datetime.timedelta(days=5),
    )  # fmt: skip
    page = Client()
    page.force_login(owner)
    token = api_token_issue(user=owner)
    ids = {
        "address": address.pk,
        "key_person": key_person.pk,
        "card": card.token,
        "sweep": sweep.pk,
        "request": request.pk,
        "hazard": hazard.pk,
    }
    api = Client(headers={"authorization": f"Bearer {token}"})
    return World(grid, resident, ids, page, api, Client(), token)


Read = Callable[[World], Any]

# (name, the read, the action, the unit it is recorded against: "grid" or the station's path)
READS: list[tuple[str, Read, str, str]] = [
    ("search page by name", lambda w: w.page.get(reverse("resident-search"), {"name": "审计"}),
     "resident.search", NANQIAO),
    ("search page by ID number", lambda w: w.page.post(reverse("resident-search"), {"id_number": ID_NUMBER}),
     "resident.search", NANQIAO),
    ("API resident list", lambda w: w.api.get("/api/v1/residents"), "resident.list", NANQIAO),
    ("API resident list by name", lambda w: w.api.get("/api/v1/residents", {"name": "审计"}),
     "resident.search", NANQIAO),
    ("API search by ID number",
     lambda w: w.api.post("/api/v1/residents/search", {"id_number": ID_NUMBER}, content_type=JSON),
     "resident.search", NANQIAO),
    ("resident page", lambda w: w.page.get(reverse("resident-detail", args=[w.resident.pk])),
     "resident.view", "grid"),
    ("API resident", lambda w: w.api.get(f"/api/v1/residents/{w.resident.pk}"), "resident.view", "grid"),
    ("address page", lambda w: w.page.get(reverse("address-detail", args=[w.ids["address"]])),
     "address.view", "grid"),
    ("care unit worklist page", lambda w: w.page.get(reverse("care-unit", args=[w.grid.code])),
     "key_person.list", "grid"),
    ("care today page", lambda w: w.page.get(reverse("care-today")), "key_person.list", NANQIAO),
    ("API key persons", lambda w: w.api.get("/api/v1/key-persons"), "key_person.list", NANQIAO),
    ("API key persons of a grid", lambda w: w.api.get("/api/v1/key-persons", {"unit": w.grid.code}),
     "key_person.list", "grid"),
    ("API contacts due", lambda w: w.api.get("/api/v1/worklists/contacts-due"), "key_person.list", NANQIAO),
    ("key person page", lambda w: w.page.get(reverse("key-person-detail", args=[w.ids["key_person"]])),
     "key_person.view", "grid"),
    ("API key person", lambda w: w.api.get(f"/api/v1/key-persons/{w.ids['key_person']}"),
     "key_person.view", "grid"),
    ("sweep page", lambda w: w.page.get(reverse("sweep-detail", args=[w.ids["sweep"]])),
     "sweep.view", "grid"),
    ("API sweep", lambda w: w.api.get(f"/api/v1/sweeps/{w.ids['sweep']}"), "sweep.view", "grid"),
    ("hazard page", lambda w: w.page.get(reverse("hazard-detail", args=[w.ids["hazard"]])),
     "hazard.view", "grid"),
    ("API hazard", lambda w: w.api.get(f"/api/v1/hazards/{w.ids['hazard']}"), "hazard.view", "grid"),
    ("request page", lambda w: w.page.get(reverse("request-detail", args=[w.ids["request"]])),
     "request.view", "grid"),
    ("API request", lambda w: w.api.get(f"/api/v1/requests/{w.ids['request']}"), "request.view", "grid"),
    ("API request timeline", lambda w: w.api.get(f"/api/v1/requests/{w.ids['request']}/events"),
     "request.events", "grid"),
    ("request queue page", lambda w: w.page.get(reverse("request-queue"), {"queue": "all"}),
     "request.list", NANQIAO),
    ("API request list", lambda w: w.api.get("/api/v1/requests", {"queue": "all"}), "request.list", NANQIAO),
    ("Open311 search", lambda w: w.anonymous.get("/open311/v2/requests.json", {"api_key": w.token}),
     "request.open311", NANQIAO),
    ("Open311 request", lambda w: w.anonymous.get(f"/open311/v2/requests/{w.ids['request']}.json",
                                                  {"api_key": w.token}), "request.open311", "grid"),
    ("vaccination list page", lambda w: w.page.get(reverse("vaccination-list", args=[w.grid.code])),
     "vaccination.list", "grid"),
    ("vaccination export", lambda w: w.page.get(reverse("vaccination-export", args=[w.grid.code])),
     "vaccination.export", "grid"),
    ("love card scan page", lambda w: w.anonymous.get(reverse("love-card-finder", args=[w.ids["card"]])),
     "love_card.scan", "grid"),
    ("love card scan API", lambda w: w.anonymous.get(f"/api/v1/love-cards/{w.ids['card']}"),
     "love_card.scan", "grid"),
]  # fmt: skip


def test_each_read_writes_exactly_one_event(world: World) -> None:
    """All reads against one world (building it is the slow part), each checked on its own."""
    wrong: list[str] = []
    for name, read, action, unit in READS:
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = read(world)
        if response.status_code != 200:
            wrong.append(f"{name}: HTTP {response.status_code}")
            continue
        new = [(e.action, e.actor_username, e.unit_path) for e in AuditEvent.objects.filter(id__gt=last)]
        actor = "" if action == "love_card.scan" else "nanqiao"
        expected = (action, actor, world.grid.path if unit == "grid" else unit)
        if new != [expected]:
            wrong.append(f"{name}: expected one event {expected}, got {new}")
    assert wrong == []


def test_a_search_by_id_number_never_stores_the_number(world: World) -> None:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    world.page.post(reverse("resident-search"), {"id_number": ID_NUMBER})
    world.api.post("/api/v1/residents/search", {"id_number": ID_NUMBER}, content_type="application/json")
    events = list(AuditEvent.objects.filter(id__gt=last))
    assert len(events) == 2
    for event in events:
        stored = json.dumps(event.detail, ensure_ascii=False) + event.reason + event.object_id
        assert ID_NUMBER not in stored and ID_NUMBER[6:14] not in stored
        assert event.detail["by"] == ID_NUMBER_SEARCH
    # The same number searched twice gives the same digest: an auditor can match searches for it.
    assert events[0].detail["id_number_digest"] == events[1].detail["id_number_digest"]
