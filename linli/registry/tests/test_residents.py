"""Registering residents, their status history, and the scoped, masked and audited reads of them."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.core.errors import ServiceError
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Resident, ResidentStatusChange
from linli.registry.selectors.residents import get_resident_for_user, resident_row, residents_visible_to
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


@pytest.fixture
def residents():
    def make(name, path, id_number, phone):
        return Resident.objects.create(
            name=name, document_kind="id_card", id_number=id_number, phone=phone, phone_last4=phone[-4:],
            residence_type="registered", unit_path=path,
        )  # fmt: skip

    return {
        "a": make("张一", NQ_GRID, "310120199001011234", "13812345678"),
        "b": make("李二", NQ_GRID_2, "310120198502023456", "13987654321"),
        "c": make("王三", TQ_GRID, "310120197003034567", "13700001111"),
    }


def test_each_persona_sees_only_residents_in_scope(residents, persona):
    names = lambda u: set(residents_visible_to(user=persona(u)).values_list("name", flat=True))  # noqa: E731
    assert names("grid-nq") == {"张一"}
    assert names("officer-nq") == {"张一", "李二"}
    assert names("nanqiao") == {"张一", "李二"}
    assert names("admin") == {"张一", "李二", "王三"}
    assert names("zhian") == set()  # a department sees escalated work, not the population
    assert names("angsu") == set()


def test_rows_are_masked_on_the_server(residents):
    row = resident_row(residents["a"])
    assert row.id_number == "310120********1234"
    assert row.phone == "138****5678"


def test_detail_is_404_outside_scope_and_audited_inside(residents, persona):
    with pytest.raises(Http404):
        get_resident_for_user(persona("grid-tq"), residents["a"].pk)
    with pytest.raises(Http404):
        get_resident_for_user(persona("grid-nq"), 987654321)
    assert not AuditEvent.objects.filter(action="resident.view").exists()
    get_resident_for_user(persona("grid-nq"), residents["a"].pk, reason="走访")
    event = AuditEvent.objects.get(action="resident.view")
    assert (event.actor_username, event.object_id, event.unit_path) == (
        "grid-nq",
        str(residents["a"].pk),
        NQ_GRID,
    )
    assert "1234" not in str(event.detail)
