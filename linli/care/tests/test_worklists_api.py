"""The /api/v1/ contact worklist per persona: scoped, most overdue first, on a later day."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.care.models import KeyPerson
from linli.care.tests.test_key_persons_api import _names
from linli.care.tests.test_worklists_pages import make_key_persons
from linli.conftest import NANQIAO, NQ_GRID_2

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def test_my_worklist_puts_the_most_overdue_first(api_for, people):
    response = api_for("grid-nq").get("/api/v1/worklists/contacts-due?mine=true")
    assert _names(response) == ["试王老", "试李童"]
    assert [r["days_overdue"] for r in response.json()["items"]] == [3, 0]
    assert _names(api_for("squad-nq").get("/api/v1/worklists/contacts-due?mine=true")) == ["试王老"]
    assert _names(api_for("grid-tq").get("/api/v1/worklists/contacts-due?mine=true")) == ["试陈头"]
    assert _names(api_for("zhian").get("/api/v1/worklists/contacts-due")) == []


def test_a_units_worklist_has_the_emergency_on_top(api_for, people):
    client = api_for("nanqiao")
    response = client.get(f"/api/v1/worklists/contacts-due?unit={NANQIAO}")
    assert _names(response) == ["试赵急", "试王老", "试李童"]
    assert response.json()["items"][0]["emergency_at"] is not None
    assert _names(client.get(f"/api/v1/worklists/contacts-due?unit={NQ_GRID_2}")) == ["试赵急"]
    assert api_for("grid-nq").get(f"/api/v1/worklists/contacts-due?unit={NANQIAO}").status_code == 404


def test_the_worklist_on_a_later_day(api_for, people):
    later = timezone.localdate() + datetime.timedelta(days=5)
    response = api_for("grid-nq").get(f"/api/v1/worklists/contacts-due?mine=true&on={later.isoformat()}")
    assert _names(response) == ["试王老", "试李童", "试张孕"]
    assert [r["days_overdue"] for r in response.json()["items"]] == [8, 5, 0]
    bad = api_for("grid-nq").get("/api/v1/worklists/contacts-due?on=11月1日")
    assert bad.status_code == 422
    assert "日期格式应为 YYYY-MM-DD" in bad.content.decode()
