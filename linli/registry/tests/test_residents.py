"""Registering residents, their status history, and the collection rate."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_COMMUNITY_2, NQ_GRID, NQ_GRID_2
from linli.core.errors import ServiceError
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Housing, Resident, ResidentStatusChange
from linli.registry.selectors.indicators import collection_rates
from linli.registry.services.addresses import address_register, resident_attach_address
from linli.registry.services.residents import resident_change_status, resident_register

pytestmark = pytest.mark.django_db

ID = make_id_number("310120", datetime.date(1948, 2, 29), 123, "M")


@pytest.fixture
def grid():
    return Unit.objects.get(code=NQ_GRID)


def test_id_card_gives_birth_date_and_sex(persona, grid):
    resident = resident_register(
        actor=persona("officer-nq"), grid=grid, name=" 王老伯 ", residence_type="registered",
        id_number=ID.lower(), phone="+86 138 0013 8000",
    )  # fmt: skip
    assert (resident.name, resident.birth_date, resident.sex) == ("王老伯", datetime.date(1948, 2, 29), "M")
    assert (resident.phone, resident.phone_last4) == ("13800138000", "8000")
    assert resident.status_changes.get().status == "present"
    assert AuditEvent.objects.filter(action="resident.register", object_id=str(resident.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id_number": "310120194802301234"}, "出生日期"),
        ({"id_number": ID[:-1]}, "18位"),
        ({"phone": "110"}, "服务号码"),
        ({"name": "  "}, "姓名"),
        ({"residence_type": "外来"}, "人口类型"),
        ({"document_kind": "passport", "id_number": ""}, "证件号码"),
    ],
)
def test_bad_input_gets_a_chinese_error_and_writes_nothing(persona, grid, fields, message):
    values = {"name": "赵六", "residence_type": "floating", "id_number": ID, **fields}
    with pytest.raises(ServiceError, match=message) as info:
        resident_register(actor=persona("nanqiao"), grid=grid, **values)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
    assert not Resident.objects.exists()


def test_people_without_an_id_card_can_be_registered(persona, grid):
    child = resident_register(
        actor=persona("nanqiao"), grid=grid, name="小明", residence_type="registered", document_kind="none",
        birth_date=datetime.date(2022, 5, 1), sex="M",
    )  # fmt: skip
    visitor = resident_register(
        actor=persona("nanqiao"), grid=grid, name="Anna", residence_type="temporary",
        document_kind="passport", other_document_number="X1234567",
    )  # fmt: skip
    assert child.id_number is None and visitor.id_number is None
    assert visitor.get_document_kind_display() == "护照"


def test_duplicates_and_scope_are_refused(persona, grid):
    resident_register(
        actor=persona("nanqiao"), grid=grid, name="甲", residence_type="registered", id_number=ID
    )
    with pytest.raises(ServiceError, match="已登记"):
        resident_register(
            actor=persona("nanqiao"), grid=grid, name="乙", residence_type="registered", id_number=ID
        )
    with pytest.raises(ServiceError, match="权限"):
        resident_register(
            actor=persona("grid-nq"), grid=grid, name="丙", residence_type="registered", document_kind="none"
        )
    with pytest.raises(ServiceError, match="权限"):
        resident_register(
            actor=persona("touqiao"), grid=grid, name="丁", residence_type="registered", document_kind="none"
        )


def test_status_changes_are_kept_as_history(persona, grid):
    resident = resident_register(
        actor=persona("nanqiao"), grid=grid, name="甲", residence_type="registered", id_number=ID
    )
    today = timezone.localdate()
    resident_change_status(
        actor=persona("nanqiao"), resident=resident, status="moved_out", effective_on=today, reason="迁往外区"
    )
    resident_change_status(actor=persona("nanqiao"), resident=resident, status="present", effective_on=today)
    resident_change_status(
        actor=persona("officer-nq"), resident=resident, status="deceased", effective_on=today
    )
    history = list(ResidentStatusChange.objects.filter(resident=resident).values_list("status", flat=True))
    assert history == ["present", "moved_out", "present", "deceased"]
    resident.refresh_from_db()
    assert resident.status == "deceased"
    with pytest.raises(ServiceError, match="不能从“死亡”"):
        resident_change_status(
            actor=persona("nanqiao"), resident=resident, status="present", effective_on=today
        )
    with pytest.raises(ServiceError, match="晚于今天"):
        other = resident_register(
            actor=persona("nanqiao"), grid=grid, name="乙", residence_type="registered", document_kind="none"
        )
        resident_change_status(
            actor=persona("nanqiao"),
            resident=other,
            status="moved_out",
            effective_on=today + datetime.timedelta(days=1),
        )


def test_collection_rate_per_unit(persona):
    actor = persona("nanqiao")
    grid, grid2 = Unit.objects.get(code=NQ_GRID), Unit.objects.get(code=NQ_GRID_2)
    flat = address_register(actor=actor, grid=grid, text="育秀路100弄12号401室")
    address_register(actor=actor, grid=grid2, text="育秀路100弄14号101室")
    Housing.objects.create(address=flat, unit_path=grid.path, usage="owner")
    complete = resident_register(
        actor=actor, grid=grid, name="全", residence_type="registered", id_number=ID, phone="13800000000"
    )
    resident_attach_address(actor=actor, resident=complete, text="育秀路100弄12号401室")
    resident_register(actor=actor, grid=grid2, name="缺", residence_type="floating", document_kind="none")
    units = list(Unit.objects.filter(code__in=[NQ_COMMUNITY, NQ_COMMUNITY_2]).order_by("path"))
    rates = {r.unit.code: r for r in collection_rates(units=units)}
    (station,) = collection_rates(units=[Unit.objects.get(code=NANQIAO)])
    with pytest.raises(ValueError):
        collection_rates(units=[*units, station.unit])
    community = rates[NQ_COMMUNITY]
    assert (
        community.residents,
        community.residents_complete,
        community.addresses,
        community.addresses_complete,
    ) == (2, 1, 2, 1)
    assert community.rate == 0.5
    assert (station.residents, station.addresses) == (2, 2)
    assert rates[NQ_COMMUNITY_2].rate is None
