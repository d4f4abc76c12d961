"""Worklist pages over HTTP, per persona: today's list, the home page's block, a unit's worklist."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from linli.care.models import Contact, KeyPerson
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")

ELDER_PHONE = "13812345678"
GUARDIAN_PHONE = "13900001234"


def _resident(name: str, path: str, born: datetime.date, n: int, sex: str = "M", phone: str = "") -> Resident:
    sequence = 2 * n + (1 if sex == "M" else 2)
    return Resident.objects.create(
        name=name, document_kind="id_card", id_number=make_id_number(path[:6], born, sequence, sex),
        sex=sex, birth_date=born, phone=phone, phone_last4=phone[-4:], residence_type="registered",
        unit_path=path,
    )  # fmt: skip


def _enrol(persona: Any, actor: str, resident: Resident, due_in: int, **kwargs: Any) -> KeyPerson:
    key_person = key_person_enrol(actor=persona(actor), resident=resident, **kwargs)
    KeyPerson.objects.filter(pk=key_person.pk).update(
        next_contact_due=timezone.localdate() + datetime.timedelta(days=due_in)
    )
    key_person.refresh_from_db()
    return key_person


def make_key_persons(persona: Any) -> dict[str, KeyPerson]:
    """Key persons with distinctive names (试…) in grid-nq's grid, the next 南桥 grid, and 头桥.

    王老 is 3 days overdue, 李童 due today, 张孕 due in 5 days (all grid-nq's); 赵急 in the next grid
    has no member and an open emergency; 陈头 in 头桥 is grid-tq's and overdue.
    """
    nq = "nanqiao"
    people = {
        "wang": _enrol(
            persona, nq, _resident("试王老", NQ_GRID, datetime.date(1940, 3, 1), 1, phone=ELDER_PHONE), -3,
            categories=[CategoryInput("living_alone"), CategoryInput("disabled", disability_grade=2)],
            responsible=persona("grid-nq"), backup=persona("squad-nq"), risk_level="medium",
            guardians=[("王女儿", "女儿", GUARDIAN_PHONE)], needs_note="腿脚不便",
        ),
        "li": _enrol(
            persona, nq, _resident("试李童", NQ_GRID, datetime.date(2016, 5, 1), 2), 0,
            categories=[CategoryInput("left_behind_child")], responsible=persona("grid-nq"),
        ),
        "zhang": _enrol(
            persona, nq, _resident("试张孕", NQ_GRID, datetime.date(1996, 7, 1), 3, sex="F"), 5,
            categories=[CategoryInput("pregnant", due_date=datetime.date(2027, 3, 1))],
            responsible=persona("grid-nq"),
        ),
        "zhao": _enrol(
            persona, nq, _resident("试赵急", NQ_GRID_2, datetime.date(1938, 1, 1), 4), 4,
            categories=[CategoryInput("seriously_ill", treatment="透析")], risk_level="high",
        ),
        "chen": _enrol(
            persona, "touqiao", _resident("试陈头", TQ_GRID, datetime.date(1945, 1, 1), 5), -1,
            categories=[CategoryInput("empty_nest")], responsible=persona("grid-tq"),
        ),
    }  # fmt: skip
    KeyPerson.objects.filter(pk=people["zhao"].pk).update(emergency_at=timezone.now())
    people["zhao"].refresh_from_db()
    return people


@pytest.fixture
def people(persona: Any) -> dict[str, KeyPerson]:
    return make_key_persons(persona)


def _body(response: Any) -> str:
    return response.content.decode()


def test_care_pages_require_login(client, people):
    wang = people["wang"].pk
    urls = [
        "/care/",
        "/care/home-block/",
        f"/care/key-persons/{wang}/",
        f"/care/key-persons/{wang}/contacts/new/",
    ]
    for url in [*urls, f"/care/units/{NANQIAO}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    response = client.post(f"/care/key-persons/{wang}/contacts/new/", {"kind": "visit"})
    assert response.status_code == 302
    assert not Contact.objects.exists()


# Today's list.


def test_grid_worker_sees_own_people_due_overdue_first_with_masked_phones(client_for, people):
    body = _body(client_for("grid-nq").get("/care/"))
    assert "今天要联系的人" in body
    assert body.index("试王老") < body.index("试李童")
    assert "逾期 3 天" in body
    assert "今天到期" in body
    for absent in ("试张孕", "试赵急", "试陈头"):
        assert absent not in body
    assert "138****5678" in body
    assert ELDER_PHONE not in body
    assert "独居老人、残疾人" in body
    assert f"/care/key-persons/{people['wang'].pk}/contacts/new/" in body


def test_emergencies_are_at_the_very_top_flagged(client_for, people, persona):
    KeyPerson.objects.filter(pk=people["li"].pk).update(emergency_at=timezone.now())
    body = _body(client_for("grid-nq").get("/care/"))
    assert body.index("试李童") < body.index("试王老")
    assert 'class="due is-emergency"' in body
    assert "紧急" in body


def test_the_list_is_light_enough_for_a_slow_phone(client_for, people):
    static = Path(settings.BASE_DIR) / "static"
    assets = (static / "linli" / "linli.css").stat().st_size + (
        static / "vendor" / "htmx.min.js"
    ).stat().st_size
    for username, url in [("grid-nq", "/care/"), ("nanqiao", f"/care/units/{NANQIAO}/")]:
        response = client_for(username).get(url)
        assert len(response.content) + assets < 100_000
        assert 'name="viewport" content="width=device-width' in _body(response)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("squad-nq", "您没有结对的重点人员"),  # a backup only, of someone not yet due
        ("nanqiao", "您没有结对的重点人员"),
        ("auditor", "您没有结对的重点人员"),
        ("zhian", "您的工作范围不含重点人员"),
    ],
)
def test_people_without_own_people_are_told_why_the_list_is_empty(client_for, people, username, message):
    KeyPerson.objects.filter(pk=people["wang"].pk).update(backup=None)
    response = client_for(username).get("/care/")
    assert response.status_code == 200
    assert message in _body(response)
    assert "试王老" not in _body(response)


def test_home_page_loads_todays_list_at_the_top(client_for, people):
    home = _body(client_for("grid-nq").get("/"))
    assert home.index('hx-get="/care/home-block/"') < home.index("我的任职")
    block = _body(client_for("grid-nq").get("/care/home-block/"))
    assert '逾期 <b class="bad">1</b> 人' in block
    assert "试王老" in block
    assert 'href="/care/"' in block
    station = _body(client_for("nanqiao").get("/care/home-block/"))
    assert f'href="/care/units/{NANQIAO}/"' in station
    assert client_for("zhian").get("/care/home-block/").content == b""


# The key person page.


# Logging a contact.


# Unit pages.


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("grid-nq", NQ_GRID),
        ("squad-nq", NQ_GRID),
        ("officer-nq", NQ_COMMUNITY),
        ("nanqiao", NANQIAO),
        ("auditor", NANQIAO),
        ("admin", "310120"),
        ("grid-tq", TQ_GRID),
    ],
)
def test_unit_page_is_shown_inside_scope(client_for, people, username, code):
    response = client_for(username).get(f"/care/units/{code}/")
    assert response.status_code == 200
    assert "按时联系率" in _body(response)


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("grid-nq", NQ_COMMUNITY),
        ("grid-nq", TQ_GRID),
        ("grid-tq", NQ_GRID),
        ("touqiao", NANQIAO),
        ("zhian", NANQIAO),  # sees the station's structure, not its people
        ("zhian", "310120.B01"),
        ("angsu", NANQIAO),
        ("admin", "999999"),
    ],
)
def test_unit_page_outside_scope_is_404(client_for, people, username, code):
    assert client_for(username).get(f"/care/units/{code}/").status_code == 404


def test_station_page_lists_overdue_unpaired_and_rates_of_its_communities(client_for, people):
    body = _body(client_for("nanqiao").get(f"/care/units/{NANQIAO}/"))
    due = body[body.index('id="due"') : body.index('id="unpaired"')]
    assert due.index("试赵急") < due.index("试王老") < due.index("试李童")
    assert "试张孕" not in due
    assert "试陈头" not in body
    unpaired = body[body.index('id="unpaired"') : body.index('id="rates"')]
    assert "试赵急" in unpaired
    assert "试王老" not in unpaired
    rates = body[body.index('id="rates"') :]
    assert "居村委" in rates
    for community in Unit.objects.filter(parent__code=NANQIAO):
        assert f'href="/care/units/{community.code}/">{community.name}</a>' in rates
    assert "登记联系" in due


def test_auditor_reads_the_station_page_without_log_buttons(client_for, people):
    body = _body(client_for("auditor").get(f"/care/units/{NANQIAO}/"))
    assert "试王老" in body
    assert "登记联系" not in body


def test_grid_page_shows_rates_per_member(client_for, people, persona):
    last_monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
    KeyPerson.objects.filter(pk=people["wang"].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )
    Contact.objects.create(
        key_person=people["wang"], kind="visit", recorded_by=persona("grid-nq"),
        occurred_at=datetime.datetime.combine(last_monday, datetime.time(10), tzinfo=SHANGHAI),
    )  # fmt: skip
    body = _body(client_for("grid-nq").get(f"/care/units/{NQ_GRID}/"))
    rates = body[body.index('id="rates"') :]
    assert "结对责任人" in rates
    assert str(persona("grid-nq")) in rates
    assert "25.0%" in rates  # one on-time week out of the last four


def test_period_is_chosen_in_the_query_string_and_checked(client_for, people):
    client = client_for("nanqiao")
    body = _body(client.get(f"/care/units/{NANQIAO}/", {"from": "2026-01-07", "to": "2026-01-20"}))
    assert "2026年1月5日（周一）至 2026年1月25日（周日），共 3 周" in body
    body = _body(client.get(f"/care/units/{NANQIAO}/", {"from": "2026-02-01", "to": "2026-01-01"}))
    assert "结束日期不能早于开始日期" in body
    assert "共 4 周" in body
    assert "日期格式应为 YYYY-MM-DD" in _body(client.get(f"/care/units/{NANQIAO}/", {"from": "1月1日"}))
    today = timezone.localdate()
    body = _body(client.get(f"/care/units/{NANQIAO}/", {"from": today.isoformat(), "to": today.isoformat()}))
    assert "还没有过完的周" in body


def test_station_page_queries_do_not_grow_with_rows(client_for, people, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("nanqiao")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/care/units/{NANQIAO}/")
    for n in range(10):
        _enrol(
            persona, "nanqiao", _resident(f"试多{n}", NQ_GRID_2, datetime.date(1950, 1, 1), 100 + n), -1,
            categories=[CategoryInput("empty_nest")], responsible=None,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        client.get(f"/care/units/{NANQIAO}/")
    assert len(after) == len(before)
    # About 20: the page's own reads, its audited read (the chained event reads the last hash first, and
    # on PostgreSQL takes the chain's advisory lock), and the session.
    assert len(before) <= 22
