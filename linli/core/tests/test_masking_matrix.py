"""The masking matrix: every page, API answer, search and export, for every persona, shows no full ID
number or mobile number of a resident, guardian, party or shop keeper, and no birth date that would
undo a masked ID number (310120********1234 hides exactly the birth date).

Like the access matrix, the routes come from the URL conf and the OpenAPI schema. Each persona opens
every GET route with the ids of the place it works in (so that it sees the world's rows in full
detail where it may), the resident search by name and by full ID number, and every export; xlsx
answers are opened again and read cell by cell. The audited reveal routes, whose purpose is to show
the full numbers with a reason, and the love cards, which carry a guardian's phone for whoever finds
the person (the printed sheet and the finder's page), are the only ones left out.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.test import Client

from linli.accounts.services.api_tokens import api_token_issue
from linli.core.tests.test_access_matrix import PUBLIC_API, PUBLIC_PAGES, Route, api_routes, openapi
from linli.core.tests.world import ABSENT, Place, build_world, personas

pytestmark = pytest.mark.django_db

# Routes whose purpose is to show a full number to someone entitled to it, each audited: the reveals
# (with a reason), and the love-card sheet, whose printed cards carry the guardians' phones so that a
# finder without a smartphone can call them.
SHOWS_FULL_NUMBERS = {
    "residents/<resident_id>/reveal/",
    "care/key-persons/<key_person_id>/guardians/reveal/",
    "care/love-cards/sheet/<code>/",
}

# Where each persona works: the place whose rows it sees.
HOME = {
    "grid-nq": "G1",
    "squad-nq": "G1",
    "grid-nq-neighbour": "G2",
    "officer-nq": "G1",
    "officer-other-committee": "C3",
    "nanqiao": "G1",
    "touqiao": "T",
    "grid-tq": "T",
    "zhian": "G1",
    "jingzhen": "T",
    "zhengzhi": "G1",
    "auditor": "G1",
    "admin": "G1",
    "angsu": "A",
    "grid-as": "A",
}


def _date_spellings(day: datetime.date) -> list[str]:
    return [
        day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}年{day.month:02d}月{day.day:02d}日",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        day.strftime("%Y%m%d"),
    ]


def _text_of(response: Any) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    return body.decode("utf-8", errors="replace")


def _page_routes() -> list[Route]:
    from django.urls import get_resolver

    from linli.core.tests.test_access_matrix import _walk

    routes = []
    for template, params in _walk(get_resolver().url_patterns, ""):
        if template in PUBLIC_PAGES or template in SHOWS_FULL_NUMBERS or "<action>" in template:
            continue
        if {"resource", "rest"} & set(params) or not set(params) <= set(ABSENT):
            continue  # the access matrix fails on parameters the world cannot fill yet
        routes.append(Route(template, params, ("GET",), api=False))
    return routes


def _api_get_routes() -> list[Route]:
    routes = [r for r in api_routes() if r.template not in PUBLIC_API and "GET" in r.methods]
    for path, operations in openapi()["paths"].items():
        if "{" not in path and "get" in operations:
            routes.append(Route(path, (), ("GET",), api=True))
    return routes


def _leaks(text: str, world: dict[str, Place]) -> list[str]:
    found = []
    for place in world.values():
        for number in place.id_numbers:
            if number in text:
                found.append(f"full ID number of {place.name}")
        for mobile in place.mobiles:
            if mobile in text:
                found.append(f"mobile {mobile[:3]}…{mobile[-4:]} of {place.name}")
        for born in place.birth_dates:
            for spelling in _date_spellings(born):
                if spelling in text:
                    found.append(f"birth date of {place.name} as {spelling}")
    return found


def test_no_answer_shows_a_full_number_or_a_birth_date_beside_a_masked_one():
    world = build_world()
    pages = _page_routes()
    api = _api_get_routes()
    assert len(pages) >= 40 and len(api) >= 25
    failures: list[str] = []
    seen_resident = 0
    for name, (user, _outside) in personas().items():
        place = world[HOME.get(name, "G1")]
        values = dict(ABSENT)
        values.update({k: v for k, v in place.ids.items() if v is not None})
        client = Client(raise_request_exception=False)
        client.force_login(user)
        token = api_token_issue(user=user)
        headers = {"authorization": f"Bearer {token}"}
        answers: list[tuple[str, Any]] = []
        for route in pages:
            url = route.url(values)
            if route.template.startswith("open311/"):
                url += f"?api_key={token}"
            answers.append((url, client.get(url)))
        for route in api:
            url = route.url(values)
            answers.append((url, client.get(url, headers=headers)))
        id_number = place.id_numbers[0]
        answers.append(("/residents/?name=矩阵", client.get("/residents/", {"name": "矩阵"})))
        answers.append(("POST /residents/ id_number", client.post("/residents/", {"id_number": id_number})))
        for query in ({"name": "矩阵"}, {"id_number": id_number}):
            answers.append(
                (
                    f"POST /api/v1/residents/search {sorted(query)}",
                    client.post(
                        "/api/v1/residents/search", json.dumps(query), content_type="application/json",
                        headers=headers,
                    ),
                )
            )  # fmt: skip
        for url, response in answers:
            if response.status_code >= 500:
                failures.append(f"{name} {url}: server error {response.status_code}")
            if response.status_code >= 400 or response.status_code in (301, 302):
                continue
            text = _text_of(response)
            if "矩阵" in text and "老人" in text:
                seen_resident += 1
            failures += [f"{name} {url}: {leak}" for leak in _leaks(text, world)]
    # The world's residents did appear in many answers, so the scan looked at real rows.
    assert seen_resident >= 50
    assert not failures, "\n".join(sorted(set(failures)))
