"""Guardians' phones on the key person page: masked, shown in full only for a reason, audited, per persona."""

from __future__ import annotations

from typing import Any

import pytest

from linli.audit.models import AuditEvent
from linli.care.models import KeyPerson
from linli.care.tests.test_worklists_pages import GUARDIAN_PHONE, make_key_persons
from linli.conftest import NQ_GRID

pytestmark = pytest.mark.django_db

MASKED = "139****1234"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def _url(key_person: KeyPerson) -> str:
    return f"/care/key-persons/{key_person.pk}/guardians/reveal/"


def _reveals() -> Any:
    return AuditEvent.objects.filter(action="guardian.reveal")


@pytest.mark.parametrize("username", ["grid-nq", "squad-nq", "officer-nq", "nanqiao", "admin"])
def test_the_page_masks_guardians_and_offers_the_reveal(client_for, people, username):
    body = client_for(username).get(f"/care/key-persons/{people['wang'].pk}/").content.decode()
    assert MASKED in body
    assert GUARDIAN_PHONE not in body
    assert f'hx-post="{_url(people["wang"])}"' in body
    assert "查看完整电话" in body


def test_the_auditor_reads_the_page_without_the_reveal(client_for, people):
    body = client_for("auditor").get(f"/care/key-persons/{people['wang'].pk}/").content.decode()
    assert MASKED in body
    assert "查看完整电话" not in body


def test_a_person_without_guardians_offers_nothing_to_reveal(client_for, people):
    body = client_for("grid-nq").get(f"/care/key-persons/{people['li'].pk}/").content.decode()
    section = body[body.index('id="guardians"') :]
    assert "未登记" in section
    assert "查看完整电话" not in body


def test_the_reveal_shows_the_full_number_for_a_reason_and_audits_it(client_for, people):
    wang = people["wang"]
    response = client_for("grid-nq").post(_url(wang), {"reason": "本人电话不通，联系家属"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "<html" not in body  # a fragment for htmx
    assert f'href="tel:{GUARDIAN_PHONE}"' in body
    assert "王女儿" in body and "女儿" in body
    assert "查看事由已记入审计日志" in body
    event = _reveals().get()
    assert (event.actor_username, event.object_id, event.unit_path, event.reason) == (
        "grid-nq",
        str(wang.pk),
        NQ_GRID,
        "本人电话不通，联系家属",
    )
    assert event.detail == {"guardians": 1}
    assert GUARDIAN_PHONE not in str(event.detail)
    # One event stands for the read; the page itself stays masked afterwards.
    assert not AuditEvent.objects.filter(action="key_person.view").exists()
    again = client_for("grid-nq").get(f"/care/key-persons/{wang.pk}/").content.decode()
    assert GUARDIAN_PHONE not in again
    assert MASKED in again


def test_without_htmx_the_whole_page_comes_back_with_the_number(client_for, people):
    response = client_for("nanqiao").post(_url(people["wang"]), {"reason": "核实监护人"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "试王老" in body and "联系记录" in body
    assert f'href="tel:{GUARDIAN_PHONE}"' in body
    assert _reveals().count() == 1


@pytest.mark.parametrize(("reason", "headers"), [("  ", HTMX), ("查", HTMX), ("", {})])
def test_the_reveal_needs_a_reason(client_for, people, reason, headers):
    response = client_for("grid-nq").post(_url(people["wang"]), {"reason": reason}, headers=headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写查看完整号码的事由" in body
    assert GUARDIAN_PHONE not in body
    assert MASKED in body
    assert " open>" in body  # the form stays open at the error
    assert not _reveals().exists()


def test_the_reveal_is_403_for_the_auditor(client_for, people):
    response = client_for("auditor").post(_url(people["wang"]), {"reason": "核查"}, headers=HTMX)
    assert response.status_code == 403
    assert GUARDIAN_PHONE not in response.content.decode()
    assert not _reveals().exists()


@pytest.mark.parametrize(
    ("username", "who"),
    [("grid-tq", "wang"), ("touqiao", "wang"), ("zhian", "wang"), ("angsu", "wang"), ("grid-nq", "zhao")],
)
def test_the_reveal_outside_scope_is_404(client_for, people, username, who):
    response = client_for(username).post(_url(people[who]), {"reason": "核查"}, headers=HTMX)
    assert response.status_code == 404
    assert not _reveals().exists()


def test_the_reveal_is_post_only_and_needs_a_login(client, client_for, people):
    assert client_for("grid-nq").get(_url(people["wang"])).status_code == 405
    response = client.post(_url(people["wang"]), {"reason": "核查"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not _reveals().exists()
