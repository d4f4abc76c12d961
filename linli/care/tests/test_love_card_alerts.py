"""A love card's scans alert the responsible people once per card within a few minutes (plus the first
location a finder types), while every scan is logged. Concurrent scans: core/tests/test_public_races.py."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from linli.care.models import LoveCard, LoveCardScan
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import ALERT_INTERVAL, love_card_issue
from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number
from linli.notify.models import Notification
from linli.registry.models import Resident

SCANS = 20
RESPONSIBLE = ["grid-nq", "officer-nq"]  # the responsible member and the community officer


@pytest.fixture
def card(persona, settings):
    settings.LINLI_NOTIFY_CHANNELS = ["database"]
    resident = Resident.objects.create(
        name="王秀英", document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1941, 3, 8), 26, "F"),
        residence_type="registered", unit_path=NQ_GRID,
    )  # fmt: skip
    person = key_person_enrol(
        actor=persona("officer-nq"), resident=resident, categories=[CategoryInput("dementia_wandering")],
        responsible=persona("grid-nq"), guardians=[("李建国", "儿子", "13900009876")],
    )  # fmt: skip
    return love_card_issue(actor=persona("officer-nq"), key_person=person)


def _alerted() -> list[str]:
    return sorted(Notification.objects.values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_twenty_scans_alert_once_and_are_all_logged(card):
    for n in range(SCANS):
        assert Client(REMOTE_ADDR=f"10.9.8.{n + 1}").get(f"/c/{card.token}").status_code == 200
    assert LoveCardScan.objects.filter(card=card).count() == SCANS
    assert _alerted() == RESPONSIBLE


@pytest.mark.django_db
def test_the_first_location_is_passed_on_and_later_ones_only_logged(card):
    client = Client(REMOTE_ADDR="10.9.8.7")
    client.get(f"/c/{card.token}")
    for n in range(SCANS):
        assert client.post(f"/c/{card.token}", {"location": f"解放路公交站{n}号"}).status_code == 200
    assert LoveCardScan.objects.filter(card=card).count() == SCANS + 1
    assert LoveCardScan.objects.exclude(location="").count() == SCANS
    located = Notification.objects.filter(text__contains="解放路公交站")
    assert sorted(located.values_list("recipient__username", flat=True)) == RESPONSIBLE
    assert "解放路公交站0号" in located.first().text  # type: ignore[union-attr]
    assert Notification.objects.count() == 2 * len(RESPONSIBLE)


@pytest.mark.django_db
def test_a_scan_after_the_interval_alerts_again(card):
    Client().get(f"/c/{card.token}")
    Client().get(f"/c/{card.token}")
    assert len(_alerted()) == len(RESPONSIBLE)
    earlier = timezone.now() - ALERT_INTERVAL - datetime.timedelta(seconds=1)
    LoveCard.objects.filter(pk=card.pk).update(last_alert_at=earlier)
    Client().get(f"/c/{card.token}")
    assert len(_alerted()) == 2 * len(RESPONSIBLE)
    assert LoveCardScan.objects.filter(card=card).count() == 3
