"""The love card's public endpoint: no login, what a finder sees, the scan logged."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from linli.care.models import LoveCardScan
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import love_card_issue
from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db


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
