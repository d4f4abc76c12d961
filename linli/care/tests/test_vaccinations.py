"""Vaccination follow-up lists (C7) and consolation visits (C8)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from linli.audit.models import AuditEvent
from linli.care.selectors.vaccinations import vaccination_followup, vaccination_followup_xlsx
from linli.care.services.consolation_visits import consolation_visit_record
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.care.services.vaccinations import vaccination_record
from linli.conftest import NQ_GRID
from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.registry.models import Resident

pytestmark = pytest.mark.django_db


def _resident(name: str, born: datetime.date, phone: str = "") -> Resident:
    return Resident.objects.create(
        name=name,
        document_kind="none",
        birth_date=born,
        phone=phone,
        residence_type="registered",
        unit_path=NQ_GRID,
    )


@pytest.fixture
def people(persona):
    today = timezone.localdate()
    old = _resident("高龄甲", today.replace(year=today.year - 80), "13811112222")
    vaccinated = _resident("高龄乙", today.replace(year=today.year - 70))
    young = _resident("青年丙", today.replace(year=today.year - 30))
    young_key = _resident("孕妇丁", today.replace(year=today.year - 28))
    key_person_enrol(
        actor=persona("nanqiao"), resident=young_key,
        categories=[CategoryInput("pregnant", due_date=today + datetime.timedelta(days=60))],
    )  # fmt: skip
    vaccination_record(actor=persona("grid-nq"), resident=vaccinated, status="full", doses=3)
    vaccination_record(actor=persona("grid-nq"), resident=young_key, status="none", reason="contraindication")
    return {"old": old, "vaccinated": vaccinated, "young": young, "young_key": young_key}


def test_the_list_is_the_elderly_and_key_persons_not_fully_vaccinated(people, persona):
    rows = vaccination_followup(user=persona("grid-nq"), unit=Unit.objects.get(code=NQ_GRID))
    assert {r.name: (r.status, r.reason, r.is_key_person) for r in rows} == {
        "高龄甲": ("未登记", "", False),
        "孕妇丁": ("未接种", "有禁忌症", True),
    }
    assert next(r for r in rows if r.name == "高龄甲").phone == "138****2222"
    assert vaccination_followup(user=persona("grid-tq"), unit=Unit.objects.get(code=NQ_GRID)) == []


def test_the_export_opens_again_and_is_audited(people, persona):
    data = vaccination_followup_xlsx(user=persona("nanqiao"), unit=Unit.objects.get(code=NQ_GRID))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[1] == [
        "姓名", "年龄（周岁）", "联系电话", "居委会/村委会", "住址", "重点人员", "接种情况", "未接种原因"
    ]  # fmt: skip
    assert {row[0] for row in sheet[2:]} == {"高龄甲", "孕妇丁"}
    committee = Unit.objects.get(code=NQ_GRID).path.rsplit(".", 1)[0]
    assert {row[3] for row in sheet[2:]} == {Unit.objects.get(path=committee).name}
    assert AuditEvent.objects.filter(action="vaccination.export", object_id=NQ_GRID).exists()


def test_vaccination_input_is_checked(people, persona):
    with pytest.raises(ServiceError, match="原因"):
        vaccination_record(actor=persona("grid-nq"), resident=people["old"], status="partial", doses=1)
    with pytest.raises(ServiceError, match="剂次"):
        vaccination_record(
            actor=persona("grid-nq"), resident=people["old"], status="none", doses=2, reason="other"
        )
    with pytest.raises(ServiceError, match="权限"):
        vaccination_record(actor=persona("auditor"), resident=people["old"], status="full", doses=2)


def test_consolation_visits_record_goods_money_and_fund(people, persona):
    key_person = people["young_key"].key_person
    visit = consolation_visit_record(
        actor=persona("grid-nq"), key_person=key_person, visited_on=timezone.localdate(), occasion="春节慰问",
        goods="米、油", amount="500", fund="集体经济",
    )  # fmt: skip
    assert (str(visit.amount), visit.fund) == ("500.00", "集体经济")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"amount": "五百"}, "金额"),
        ({"amount": "-1"}, "0–100000"),
        ({"fund": " "}, "资金来源"),
        ({"goods": "", "amount": "0"}, "物品或慰问金"),
        ({"visited_on": timezone.localdate() + datetime.timedelta(days=1)}, "晚于今天"),
    ]
    for kwargs, message in cases:
        values = {
            "visited_on": timezone.localdate(),
            "occasion": "中秋",
            "goods": "月饼",
            "amount": "0",
            "fund": "慈善",
        }
        with pytest.raises(ServiceError, match=message):
            consolation_visit_record(actor=persona("grid-nq"), key_person=key_person, **{**values, **kwargs})
