"""Every API and form body that names an existing object: one outside the caller's scope is answered
exactly like one that does not exist (same status, same message), and changes nothing.

The caller is 南桥's station office (it manages everything under 310120.01). The objects named are in
头桥 (another station of the district) and 昂素 (another district); "absent" is an id or code nobody has.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.models import User
from linli.care.models import Category, KeyPerson
from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.sweeps import sweep_start
from linli.conftest import ANGSU_TOWN, NQ_GRID, TQ_GRID
from linli.lib.idcard import make_id_number
from linli.needs.models import Request
from linli.org.models import Unit
from linli.registry.models import Resident
from linli.registry.services.addresses import address_register
from linli.safety.models import Dispute, Hazard
from linli.safety.services.disputes import PartyInput, dispute_log

pytestmark = pytest.mark.django_db

AS_GRID = f"{ANGSU_TOWN}.001.01"
ABSENT_ID = 987_654_321
ABSENT_CODE = "310120.01.999.99"


@dataclass
class Place:
    code: str
    resident_id: int
    id_number: str
    address_id: int
    key_person_id: int
    contact_id: int
    sweep_id: int
    member_id: int


def _place(number: int, path: str, owner: str, member: str) -> Place:
    grid = Unit.objects.get(code=path)
    actor = User.objects.get(username=owner)
    id_number = make_id_number(path[:6], datetime.date(1944, 3, 1 + number), 40 + 2 * number, "F")
    address = address_register(actor=None, grid=grid, text=f"范围路{number}号")
    resident = Resident.objects.create(
        name=f"范围{number}", document_kind="id_card", id_number=id_number, residence_type="registered",
        unit_path=path, address=address,
    )  # fmt: skip
    key_person = key_person_enrol(
        actor=actor, resident=resident, categories=[CategoryInput(Category.DEMENTIA_WANDERING)]
    )
    contact = contact_log(
        actor=actor,
        key_person=key_person,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        kind="visit",
    )
    sweep = sweep_start(actor=actor, unit=grid, kind="door_knock", title=f"范围排查{number}")
    return Place(
        code=path,
        resident_id=resident.pk,
        id_number=id_number,
        address_id=address.pk,
        key_person_id=key_person.pk,
        contact_id=contact.pk,
        sweep_id=sweep.pk,
        member_id=User.objects.get(username=member).pk,
    )


@pytest.fixture
def world(db: None) -> dict[str, Place]:
    return {
        "station": _place(1, TQ_GRID, "touqiao", "grid-tq"),
        "district": _place(2, AS_GRID, "angsu", "grid-as"),
    }


@pytest.fixture
def home(db: None) -> dict[str, Any]:
    """What the caller owns: a resident not on the ledger, a key person, a dispute (for the member fields)."""
    grid = Unit.objects.get(code=NQ_GRID)
    office = User.objects.get(username="nanqiao")
    resident, other = (
        Resident.objects.create(
            name=f"本辖区{n}",
            document_kind="id_card",
            residence_type="registered",
            unit_path=NQ_GRID,
            id_number=make_id_number("310120", datetime.date(1950 + n, 5, 5), 61 + 2 * n, "M"),
        )
        for n in (1, 2)
    )
    key_person = key_person_enrol(
        actor=office, resident=other, categories=[CategoryInput(Category.DEMENTIA_WANDERING)]
    )
    dispute = dispute_log(
        actor=office,
        unit=grid,
        kind="neighbour",
        summary="范围纠纷",
        occurred_on=timezone.localdate(),
        parties=[PartyInput("甲")],
    )
    return {"resident_id": resident.pk, "key_person_id": key_person.pk, "dispute_id": dispute.pk}


def _answer(response: Any, *hide: object) -> tuple[int, str]:
    """Status and body, with the named id or code blanked (a message may echo what was sent)."""
    text = response.content.decode()
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True)
    except ValueError:
        # A page carries a fresh CSRF token each time.
        text = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", text)
    for value in hide:
        text = text.replace(str(value), "◇")
    return response.status_code, text


def _counts() -> tuple[int, ...]:
    return (
        KeyPerson.objects.count(),
        Request.objects.count(),
        Dispute.objects.count(),
        Hazard.objects.count(),
        Resident.objects.filter(unit_path__startswith="310120.01").count(),
    )


# (label, method, url, body builder (place or None for absent) → body, the value to blank)
def _api_cases(home: dict[str, Any]) -> list[tuple[str, str, Any]]:
    kp, dispute = home["key_person_id"], home["dispute_id"]
    today = timezone.localdate().isoformat()
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    enrol = {"categories": [{"category": Category.DEMENTIA_WANDERING}]}
    hazard = {"unit": NQ_GRID, "kind": "gas", "deadline": deadline, "description": "隐患"}
    return [
        ("key person: resident_id", "/api/v1/key-persons", lambda p: {**enrol, "resident_id": p.resident_id}),
        (
            "key person: responsible_id",
            "/api/v1/key-persons",
            lambda p: {**enrol, "resident_id": home["resident_id"], "responsible_id": p.member_id},
        ),
        (
            "key person: backup_id",
            "/api/v1/key-persons",
            lambda p: {**enrol, "resident_id": home["resident_id"], "backup_id": p.member_id},
        ),
        (
            "reassign: responsible_id",
            f"/api/v1/key-persons/{kp}/reassign",
            lambda p: {"responsible_id": p.member_id, "reason": "调整"},
        ),
        ("sweep: unit", "/api/v1/sweeps", lambda p: {"unit": p.code, "kind": "door_knock", "title": "排查"}),
        (
            "request: resident_id",
            "/api/v1/requests",
            lambda p: {"category": "_", "channel": "visit", "unit": NQ_GRID, "resident_id": p.resident_id},
        ),
        (
            "request: address_id",
            "/api/v1/requests",
            lambda p: {"category": "_", "channel": "visit", "unit": NQ_GRID, "address_id": p.address_id},
        ),
        (
            "request: unit",
            "/api/v1/requests",
            lambda p: {"category": "_", "channel": "visit", "unit": p.code},
        ),
        (
            "dispute: unit",
            "/api/v1/disputes",
            lambda p: {"unit": p.code, "kind": "neighbour", "occurred_on": today},
        ),
        ("dispute transfer: to", f"/api/v1/disputes/{dispute}/transfer", lambda p: {"to": p.member_id}),
        ("hazard: unit", "/api/v1/hazards", lambda p: {**hazard, "unit": p.code}),
        ("hazard: contact_id", "/api/v1/hazards", lambda p: {**hazard, "contact_id": p.contact_id}),
        ("hazard: sweep_id", "/api/v1/hazards", lambda p: {**hazard, "sweep_id": p.sweep_id}),
    ]


_ABSENT = Place(
    code=ABSENT_CODE,
    resident_id=ABSENT_ID,
    id_number=make_id_number("310120", datetime.date(1930, 1, 1), 999, "M"),
    address_id=ABSENT_ID,
    key_person_id=ABSENT_ID,
    contact_id=ABSENT_ID,
    sweep_id=ABSENT_ID,
    member_id=ABSENT_ID,
)


def _request_category() -> str:
    from linli.needs.models import RequestCategory

    category = RequestCategory.objects.filter(is_active=True).order_by("pk").first()
    assert category is not None
    return category.code


def _hidden(place: Place) -> list[object]:
    return [
        place.code,
        place.resident_id,
        place.address_id,
        place.contact_id,
        place.sweep_id,
        place.member_id,
    ]


def test_api_bodies_answer_out_of_scope_objects_like_absent_ones(api_for, world, home):
    client = api_for("nanqiao")
    category = _request_category()
    before = _counts()
    failures = []
    for label, url, body in _api_cases(home):

        def post(place: Place, body: Any = body, url: str = url) -> tuple[int, str]:
            data = body(place)
            if data.get("category") == "_":
                data["category"] = category
            response = client.post(url, data, content_type="application/json")
            return _answer(response, *_hidden(place))

        absent = post(_ABSENT)
        assert absent[0] in (404, 422), (label, absent)
        for where, place in world.items():
            if post(place) != absent:
                failures.append((label, where, post(place), absent))
    assert failures == []
    assert _counts() == before
    # The same body naming the caller's own resident goes through: the refusals above are about scope.
    body = {"categories": [{"category": Category.DEMENTIA_WANDERING}], "resident_id": home["resident_id"]}
    assert client.post("/api/v1/key-persons", body, content_type="application/json").status_code == 201


def test_a_search_for_an_id_number_held_elsewhere_finds_nothing_like_an_unknown_one(api_for, world):
    client = api_for("nanqiao")

    def search(number: str) -> tuple[int, str]:
        response = client.post(
            "/api/v1/residents/search", {"id_number": number}, content_type="application/json"
        )
        return _answer(response, number)

    absent = search(_ABSENT.id_number)
    assert json.loads(absent[1])["count"] == 0
    assert search(world["station"].id_number) == absent
    assert search(world["district"].id_number) == absent


def test_open311_bodies_answer_out_of_scope_objects_like_absent_ones(api_for, world):
    from linli.accounts.services.api_tokens import api_token_issue

    key = api_token_issue(user=User.objects.get(username="nanqiao"))
    category = _request_category()
    client = Client()

    def file(**extra: str) -> tuple[int, str]:
        form = {"api_key": key, "service_code": category, "description": "路灯坏了", **extra}
        response = client.post("/open311/v2/requests.json", form)
        return _answer(response, *extra.values())

    for field, value in (
        ("jurisdiction_id", "code"),
        ("attribute[grid]", "code"),
        ("address_id", "address_id"),
    ):
        absent = file(**{field: str(getattr(_ABSENT, value))})
        assert absent[0] in (400, 404)
        for place in world.values():
            assert file(**{field: str(getattr(place, value))}) == absent, field
    assert not Request.objects.exists()


def test_form_bodies_answer_out_of_scope_objects_like_absent_ones(client_for, world):
    client = client_for("nanqiao")
    before = _counts()
    cases = [
        ("/care/sweeps/", lambda p: {"unit": p.code, "kind": "door_knock", "title": "排查"}),
        (lambda p: f"/requests/new/?key_person={p.key_person_id}", lambda p: {"text": "求助"}),
    ]
    for url, body in cases:

        def post(place: Place, url: Any = url, body: Any = body) -> tuple[int, str]:
            target = url(place) if callable(url) else url
            response = client.post(target, body(place))
            return response.status_code, ""

        absent = post(_ABSENT)
        assert absent[0] == 404
        for place in world.values():
            assert post(place) == absent
    assert _counts() == before


def test_the_import_form_answers_an_out_of_scope_grid_like_an_absent_one(
    client_for, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.registry.models import ImportJob

    settings.VAR_DIR = tmp_path
    client = client_for("nanqiao")

    def upload(code: str) -> tuple[int, str]:
        csv = SimpleUploadedFile("人口.csv", "姓名,身份证号\n".encode(), content_type="text/csv")
        response = client.post("/imports/new/", {"kind": "residents", "grid": code, "file": csv})
        return _answer(response, code)

    absent = upload(ABSENT_CODE)
    assert absent[0] in (200, 404)
    for place in world.values():
        assert upload(place.code) == absent
    assert not ImportJob.objects.exists()
