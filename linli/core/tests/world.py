"""A small world for the access-matrix and masking tests: one of every object type in five places.

Places (all from the demo tree):
- G1: grid-nq's grid (南桥, first committee, first grid)
- G2: the next grid of the same committee (grid-nq's neighbour)
- C3: a grid of 南桥's third committee (outside officer-nq's two committees)
- T:  grid-tq's grid (头桥, another station, the liaison of 经侦支队 and not of 治安支队)
- A:  grid-as's grid (昂素, another district)

Every place gets a resident with an ID number and a mobile, an address with a housing row and a
business, a key person with a guardian, a contact, a love card, a sweep, a request with an event,
a dispute with its checks, a hazard, an address review, an import job and a support point. Rows are
made through the services, by the station office that owns the place, as its people would.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.accounts.models import ApiToken, Membership, Role, User
from linli.accounts.services.api_tokens import api_token_issue
from linli.care.models import Category
from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.love_cards import love_card_issue
from linli.care.services.sweeps import sweep_start
from linli.conftest import NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.lib.credit_code import make_credit_code
from linli.lib.idcard import make_id_number
from linli.needs.models import RequestAttachment, RequestCategory
from linli.needs.services.requests import request_file
from linli.org.models import Unit
from linli.org.services.support_points import support_point_create
from linli.registry.models import Business, Housing, Resident
from linli.registry.services.addresses import address_register, resident_attach_address
from linli.registry.services.imports.jobs import import_job_create
from linli.safety.services.disputes import PartyInput, dispute_log, dispute_mediate
from linli.safety.services.hazards import hazard_record

C3_GRID = "310120.01.003.01"
AS_GRID = "150623.01.001.01"

# Which station office makes the rows of each place.
PLACES: dict[str, tuple[str, str]] = {
    "G1": (NQ_GRID, "nanqiao"),
    "G2": (NQ_GRID_2, "nanqiao"),
    "C3": (C3_GRID, "nanqiao"),
    "T": (TQ_GRID, "touqiao"),
    "A": (AS_GRID, "angsu"),
}

# The smallest file the attachment check takes for a photo: PNG's signature and a little more.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Mobile numbers and ID numbers of the world's people, so that tests can look for them in answers.
MOBILE_PREFIX = "139"


@dataclass
class Place:
    name: str
    grid: Unit
    owner: User
    ids: dict[str, Any] = field(default_factory=dict)
    id_numbers: list[str] = field(default_factory=list)
    mobiles: list[str] = field(default_factory=list)
    birth_dates: list[datetime.date] = field(default_factory=list)


def _mobile(n: int) -> str:
    return f"{MOBILE_PREFIX}{n:08d}"


def _build_place(number: int, name: str, path: str, owner: User) -> Place:
    grid = Unit.objects.get(path=path)
    place = Place(name=name, grid=grid, owner=owner)
    born = datetime.date(1941, 2, 3 + number)
    id_number = make_id_number(path[:6], born, 20 + 2 * number + 1, "M")
    phone = _mobile(71000000 + number)
    resident = Resident.objects.create(
        name=f"矩阵{name}老人", document_kind="id_card", id_number=id_number, sex="M", birth_date=born,
        phone=phone, phone_last4=phone[-4:], residence_type="registered", unit_path=path,
    )  # fmt: skip
    place.id_numbers.append(id_number)
    place.mobiles.append(phone)
    place.birth_dates.append(born)
    guardian_phone = _mobile(72000000 + number)
    place.mobiles.append(guardian_phone)

    flat = f"矩阵路{number + 1}号10{number + 1}室"
    address = address_register(actor=None, grid=grid, text=flat)
    Resident.objects.filter(pk=resident.pk).update(address=address)
    Housing.objects.create(address=address, usage="owner", owner_name=f"矩阵{name}房主", owner_phone=phone)
    business = Business.objects.create(
        name=f"矩阵{name}小店", kind="shop", credit_code=_credit_code(number), address=address,
        unit_path=path, contact_name=f"矩阵{name}店主", contact_phone=_mobile(73000000 + number),
    )  # fmt: skip
    place.mobiles.append(business.contact_phone)
    review = resident_attach_address(actor=None, resident=resident, text="无法识别的某处 某某某")

    key_person = key_person_enrol(
        actor=owner,
        resident=resident,
        categories=[
            CategoryInput(Category.DEMENTIA_WANDERING),
            CategoryInput("disabled", disability_grade=2),
        ],
        responsible=None,
        guardians=[(f"矩阵{name}女儿", "女儿", guardian_phone)],
        needs_note="矩阵健康备注",
    )
    contact = contact_log(
        actor=owner, key_person=key_person, occurred_at=timezone.now() - datetime.timedelta(hours=1),
        kind="visit", outcome="矩阵走访",
    )  # fmt: skip
    card = love_card_issue(actor=owner, key_person=key_person)
    sweep = sweep_start(actor=owner, unit=grid, kind="door_knock", title=f"矩阵{name}排查")
    household = sweep.households.first()
    category = RequestCategory.objects.filter(is_active=True).order_by("pk").first()
    assert category is not None
    request = request_file(
        actor=owner, category=category, channel="visit", text=f"矩阵{name}诉求", unit=grid,
        resident=resident, caller_name=resident.name, caller_phone=phone,
        attachments=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
    )  # fmt: skip
    event = request.events.order_by("pk").first()
    attachment = RequestAttachment.objects.filter(event__request=request).first()
    today = timezone.localdate()
    dispute = dispute_log(
        actor=owner, unit=grid, kind="neighbour", summary=f"矩阵{name}纠纷",
        occurred_on=today - datetime.timedelta(days=2),
        parties=[PartyInput("矩阵甲", _mobile(74000000 + number)), PartyInput("矩阵乙")],
    )  # fmt: skip
    place.mobiles.append(_mobile(74000000 + number))
    dispute_mediate(
        actor=owner, dispute=dispute, outcome="调解", agreed=True, agreement_text="和解",
        agreement_on=today - datetime.timedelta(days=1), agreement_parties="矩阵甲、矩阵乙",
    )  # fmt: skip
    check = dispute.checks.order_by("pk").first()
    hazard = hazard_record(
        actor=owner, unit=grid, kind="gas", risk_level="medium", source="check",
        description=f"矩阵{name}隐患", responsible_party="住户", deadline=today + datetime.timedelta(days=5),
    )  # fmt: skip
    job = import_job_create(
        actor=owner,
        unit=grid,
        upload=SimpleUploadedFile("矩阵.csv", "姓名,身份证号\n矩阵,123\n".encode(), content_type="text/csv"),
    )
    # An API token of the grid's worker: only they (and a security administrator over them) may revoke it.
    worker = member_of(path, Role.GRID_WORKER)
    api_token_issue(user=worker)
    api_token = ApiToken.objects.filter(user=worker).latest("pk")
    point = support_point_create(actor=None, unit=grid, kind="police_office", name=f"矩阵{name}警务室")

    place.ids = {
        "code": grid.code,
        "resident_id": resident.pk,
        "address_id": address.pk,
        "review_id": review.pk if review is not None else None,
        "key_person_id": key_person.pk,
        "contact_id": contact.pk,
        "token": card.token,
        "sweep_id": sweep.pk,
        "household_id": household.pk if household is not None else None,
        "request_id": request.pk,
        "event_id": event.pk if event is not None else None,
        "attachment_id": attachment.pk if attachment is not None else None,
        "dispute_id": dispute.pk,
        "check_id": check.pk if check is not None else None,
        "hazard_id": hazard.pk,
        "job_uuid": job.uuid,
        "point_id": point.pk,
        "token_id": api_token.pk,
        "username": worker.username,
    }
    return place


def _credit_code(number: int) -> str:
    return make_credit_code("310120", 880000 + number)


def build_world() -> dict[str, Place]:
    """The five places with their rows (made inside the calling test's transaction)."""
    owners = {username: User.objects.get(username=username) for _, username in PLACES.values()}
    return {
        name: _build_place(number, name, path, owners[username])
        for number, (name, (path, username)) in enumerate(PLACES.items())
    }


ABSENT: dict[str, Any] = {
    "code": "310120.98.998.98",
    "resident_id": 987654321,
    "address_id": 987654321,
    "review_id": 987654321,
    "key_person_id": 987654321,
    "contact_id": 987654321,
    "token": "Q" * 43,
    "sweep_id": 987654321,
    "household_id": 987654321,
    "request_id": 987654321,
    "event_id": 987654321,
    "attachment_id": 987654321,
    "dispute_id": 987654321,
    "check_id": 987654321,
    "hazard_id": 987654321,
    "job_uuid": uuid.UUID("00000000-0000-4000-8000-000000000000"),
    "point_id": 987654321,
    "token_id": 987654321,
    "username": "nobody-matrix",
}


def member_of(path: str, role: str) -> User:
    """A demo account holding `role` on the unit at `path` (the demo has one per grid and committee)."""
    membership = Membership.objects.select_related("user").filter(unit__path=path, role=role).first()
    assert membership is not None, (path, role)
    return membership.user


# Each database asks as one persona of every kind (grid worker, committee officer, station office,
# department, political office, auditor, district and township offices, administrators), and the two
# halves together ask as every persona: the scope rules are the same code on both databases, what
# differs (the "C"-collated path ranges) is exercised by each, and `make test` stays within its time.
PERSONAS_BY_DATABASE = {
    "sqlite": {
        "grid-nq-neighbour", "squad-nq", "officer-nq", "nanqiao", "zhian", "zhengzhi", "auditor", "admin",
        "angsu", "sysadmin",
    },
    "postgresql": {
        "grid-nq", "grid-tq", "officer-other-committee", "touqiao", "jingzhen", "zhengzhi", "auditor",
        "grid-as", "secadmin",
    },
}  # fmt: skip


def personas() -> dict[str, tuple[User, str]]:
    """This database's personas, each with the place whose rows lie outside everything it may see."""
    from django.db import connection

    found = _all_personas()
    halves = set().union(*PERSONAS_BY_DATABASE.values())
    assert set(found) <= halves, f"give these personas a database: {sorted(set(found) - halves)}"
    mine = PERSONAS_BY_DATABASE[connection.vendor]
    return {name: entry for name, entry in found.items() if name in mine}


def _all_personas() -> dict[str, tuple[User, str]]:
    def user(username: str) -> User:
        return User.objects.get(username=username)

    found: dict[str, tuple[User, str]] = {
        "grid-nq": (user("grid-nq"), "G2"),
        "squad-nq": (user("squad-nq"), "G2"),
        "grid-nq-neighbour": (member_of(NQ_GRID_2, Role.GRID_WORKER), "G1"),
        "officer-nq": (user("officer-nq"), "C3"),
        "officer-other-committee": (member_of("310120.01.003", Role.COMMUNITY_OFFICER), "G1"),
        "nanqiao": (user("nanqiao"), "T"),
        "touqiao": (user("touqiao"), "G1"),
        "grid-tq": (user("grid-tq"), "G1"),
        "zhian": (user("zhian"), "T"),
        "jingzhen": (user("jingzhen"), "G1"),
        "zhengzhi": (user("zhengzhi"), "A"),
        "auditor": (user("auditor"), "A"),
        "admin": (user("admin"), "A"),
        "angsu": (user("angsu"), "G1"),
        "grid-as": (user("grid-as"), "G1"),
        # 三员分立: the system and security administrators of 奉贤 see structure, never its people.
        "sysadmin": (user("sysadmin"), "A"),
        "secadmin": (user("secadmin"), "A"),
    }
    return found
