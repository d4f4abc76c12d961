"""Love contact cards (C6): a finder sees only what is listed; scans are logged and alert; links die."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.test import Client

from linli.audit.models import AuditEvent
from linli.care.models import LoveCard, LoveCardScan
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import given_name, love_card_issue
from linli.conftest import NQ_GRID
from linli.core.errors import ServiceError
from linli.lib.idcard import make_id_number
from linli.notify.models import Notification
from linli.org.models import Unit
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db
ID = make_id_number("310120", datetime.date(1941, 3, 8), 26, "F")


@pytest.fixture
def person(persona, settings):
    settings.LINLI_NOTIFY_CHANNELS = ["database"]
    resident = Resident.objects.create(
        name="王秀英", document_kind="id_card", id_number=ID, phone="13700001234",
        residence_type="registered", unit_path=NQ_GRID, reported_address="育秀路100弄12号401室",
    )  # fmt: skip
    return key_person_enrol(
        actor=persona("officer-nq"), resident=resident, categories=[CategoryInput("dementia_wandering")],
        responsible=persona("grid-nq"), guardians=[("李建国", "儿子", "13900009876")],
    )  # fmt: skip


@pytest.fixture
def card(person, persona):
    return love_card_issue(actor=persona("officer-nq"), key_person=person)


def test_given_names():
    assert [given_name(n) for n in ["王秀英", "欧阳明", "李", "司马相如"]] == ["秀英", "明", "李", "相如"]


def test_the_finder_sees_only_what_brings_the_person_home(card, persona):
    response = Client().get(f"/c/{card.token}")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "我叫秀英" in body
    assert 'href="tel:13900009876"' in body
    assert "南桥派出所" in body and 'href="tel:021-57101110"' in body
    grid_worker = persona("grid-nq")
    for secret in [
        "王秀英",
        ID,
        ID[-4:],
        "13700001234",
        "育秀路",
        "李建国",
        grid_worker.display_name,
        grid_worker.phone,
    ]:
        assert secret not in body, secret
    assert "/static/vendor/htmx" not in body  # a bare page: no app script for a stranger


def test_every_scan_is_logged_and_alerts_are_throttled(card, persona):
    client = Client(REMOTE_ADDR="10.9.8.7")
    client.get(f"/c/{card.token}")
    client.get(f"/c/{card.token}")
    scans = LoveCardScan.objects.filter(card=card)
    assert scans.count() == 2
    assert {s.client_address for s in scans} == {"10.9.8.7"}
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"grid-nq", "officer-nq"}  # the responsible member and the community officer
    assert Notification.objects.count() == 2  # the second scan within minutes alerts nobody again
    assert all("王秀英" in n.text for n in Notification.objects.all())
    client.post(f"/c/{card.token}", {"location": "解放路公交站"})
    assert Notification.objects.filter(text__contains="解放路公交站").count() == 2
    assert LoveCardScan.objects.filter(location="解放路公交站").exists()


@pytest.mark.parametrize(
    "token",
    ["", "abc", "x" * 43, secrets.token_urlsafe(32), "../../etc/passwd", "1", "%00" * 20],
)
def test_unknown_links_are_404_and_log_nothing(card, token):
    assert Client().get(f"/c/{token}").status_code == 404
    assert not LoveCardScan.objects.exists()


def test_links_are_long_random_and_die_on_reissue_or_revoke(card, persona):
    assert len(card.token) == 43
    new = love_card_issue(actor=persona("nanqiao"), key_person=card.key_person)
    assert new.token != card.token
    assert Client().get(f"/c/{card.token}").status_code == 404
    assert Client().get(f"/c/{new.token}").status_code == 200
    client = Client()
    client.force_login(persona("officer-nq"))
    assert (
        client.post(f"/care/love-cards/{card.key_person.pk}/revoke/", {"reason": "家属要求"}).status_code
        == 302
    )
    assert Client().get(f"/c/{new.token}").status_code == 404
    assert LoveCard.objects.filter(revoked_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="love_card.revoke", reason="家属要求").exists()


def test_a_card_needs_a_guardian_phone(persona):
    resident = Resident.objects.create(
        name="赵老", document_kind="none", residence_type="registered", unit_path=NQ_GRID
    )
    lonely = key_person_enrol(
        actor=persona("nanqiao"), resident=resident, categories=[CategoryInput("living_alone")]
    )
    with pytest.raises(ServiceError, match="监护人"):
        love_card_issue(actor=persona("nanqiao"), key_person=lonely)


def test_staff_pages_by_persona(card, client_for):
    url = f"/care/love-cards/{card.key_person.pk}/"
    manage = client_for("officer-nq").get(url).content.decode()
    assert "<svg" in manage and card.token in manage
    read_only = client_for("grid-nq").get(url)
    assert read_only.status_code == 200
    assert card.token not in read_only.content.decode()
    assert client_for("grid-nq").post(f"{url}issue/").status_code == 403
    assert client_for("auditor").post(f"{url}issue/").status_code == 403
    assert client_for("grid-tq").get(url).status_code == 404
    assert client_for("zhian").get(url).status_code == 404


def test_the_printable_sheet(card, client_for):
    community = Unit.objects.get(code="310120.01.001")
    sheet = client_for("nanqiao").get(f"/care/love-cards/sheet/{community.code}/")
    body = sheet.content.decode()
    assert sheet.status_code == 200
    assert body.count("<svg") == 1
    assert "我叫秀英" in body and "13900009876" in body and "南桥派出所 021-57101110" in body
    assert AuditEvent.objects.filter(action="love_card.print", object_id=community.code).exists()
    assert client_for("grid-nq").get(f"/care/love-cards/sheet/{NQ_GRID}/").status_code == 403
    assert client_for("touqiao").get(f"/care/love-cards/sheet/{community.code}/").status_code == 404
