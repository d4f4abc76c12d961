"""Beside a masked ID number every role reads an age, never the birth date that the mask hides."""

from __future__ import annotations

from datetime import date

import pytest

from linli.core.masking import age_of
from linli.registry.tests.test_residents_pages import ZHANG_ID, make_people

pytestmark = pytest.mark.django_db

BIRTH = date(1990, 1, 1)
# Every way a page or an answer might spell the hidden digits.
SPELLINGS = ["1990年1月1日", "1990-01-01", "19900101", "1990/01/01", "1990年01月01日"]
READERS = ["grid-nq", "squad-nq", "officer-nq", "nanqiao", "admin", "auditor"]


@pytest.fixture
def people():
    return make_people()


@pytest.mark.parametrize("username", READERS)
def test_pages_and_answers_show_age_not_birth_date(client_for, api_for, people, username):
    zhang = people["zhang"]
    masked = f"{ZHANG_ID[:6]}********{ZHANG_ID[-4:]}"
    page = client_for(username).get(f"/residents/{zhang.pk}/").content.decode()
    search = client_for(username).get("/residents/", {"name": "试张一"}).content.decode()
    api = api_for(username)
    detail = api.get(f"/api/v1/residents/{zhang.pk}")
    listing = api.get("/api/v1/residents", {"name": "试张一"}).content.decode()
    assert masked in page and masked in search
    assert detail.json()["age"] == age_of(BIRTH)
    assert f"{age_of(BIRTH)}周岁" in page
    for text in (page, search, detail.content.decode(), listing):
        assert ZHANG_ID not in text
        for spelling in SPELLINGS:
            assert spelling not in text, (username, spelling)
