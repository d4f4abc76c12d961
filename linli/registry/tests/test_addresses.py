"""Free-text addresses matched to standard addresses, table-driven; what does not match is queued."""

from __future__ import annotations

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.core.errors import ServiceError
from linli.lib.tests.test_address import NOT_UNDERSTOOD, PREFIXES, UNDERSTOOD
from linli.org.models import Unit
from linli.registry.models import Address, AddressReview, Resident
from linli.registry.services.addresses import (
    AddressIndex,
    address_code,
    address_register,
    address_review_resolve,
    resident_attach_address,
    residents_match_addresses,
)

pytestmark = pytest.mark.django_db

# Prefixes the Fengxian deployment strips; the lib table was written with the same.
assert "奉贤区" in PREFIXES

# Every variant of the lib's table names its expected key; here each must find the standard address
# registered under that key, and nothing else.


def _names_a_place(key: str) -> bool:
    road, lane, number, building, _unit, _room = key.split("|")
    return bool(road and (lane or number or building))


MATCH_TABLE = [(raw, key) for raw, key in UNDERSTOOD if _names_a_place(key)]
# Understood, but no place on their own: parts without a road ("12幢401室"), or a village alone.
WITHOUT_LOCALITY = [(raw, key) for raw, key in UNDERSTOOD if not _names_a_place(key)]
AS_GRID = "150623.01.001.01"


def _grid_for(raw: str) -> str:
    # Texts from the Angsu township are matched in its tree, with its own prefixes.
    return (
        AS_GRID if any(name in raw for name in ("内蒙古", "鄂尔多斯", "鄂托克", "昂素", "嘎查")) else NQ_GRID
    )


def _standard(key: str, path: str = NQ_GRID) -> Address:
    road, lane, number, building, unit, room = key.split("|")
    station = ".".join(path.split(".")[:2])
    return Address.objects.create(
        code=address_code(station, key), station_path=station, key=key, grid=Unit.objects.get(code=path),
        unit_path=path, locality=road, lane=lane, number=number, building=building, unit_no=unit, room=room,
        full_text="".join(key.split("|")),
    )  # fmt: skip


@pytest.fixture
def standard_addresses():
    wanted = sorted({(key, _grid_for(raw)) for raw, key in MATCH_TABLE + WITHOUT_LOCALITY})
    return {(key, grid): _standard(key, grid) for key, grid in wanted}


def test_the_table_is_large_enough():
    assert len(MATCH_TABLE) >= 100
    assert len(NOT_UNDERSTOOD) >= 30


@pytest.mark.parametrize(("raw", "key"), MATCH_TABLE)
def test_each_variant_matches_its_standard_address(standard_addresses, raw, key):
    grid = _grid_for(raw)
    match = AddressIndex(grid).match(raw)
    assert match.address_id == standard_addresses[(key, grid)].pk, (raw, match.parts)


@pytest.mark.parametrize(("raw", "key"), WITHOUT_LOCALITY)
def test_parts_that_name_no_single_place_never_match(standard_addresses, raw, key):
    assert AddressIndex(_grid_for(raw)).match(raw).address_id is None


@pytest.mark.parametrize(("raw", "key", "rest"), NOT_UNDERSTOOD)
def test_texts_not_understood_never_match(standard_addresses, raw, key, rest):
    assert AddressIndex(_grid_for(raw)).match(raw).address_id is None


def test_a_key_in_another_station_is_not_matched():
    _standard("育秀路|100弄|12号|||401室", path=TQ_GRID)
    assert AddressIndex(NQ_GRID).match("育秀路100弄12号401室").address_id is None
    assert AddressIndex(TQ_GRID).match("育秀路100弄12号401室").matched


def test_a_room_that_is_not_registered_does_not_fall_back_to_the_building(standard_addresses):
    assert AddressIndex(NQ_GRID).match("育秀路100弄12号999室").address_id is None


def test_address_register_creates_once_with_a_stable_code(persona):
    grid = Unit.objects.get(code=NQ_GRID)
    first = address_register(actor=persona("nanqiao"), grid=grid, text="南桥镇育秀路１００弄１２号４０１室")
    again = address_register(actor=persona("nanqiao"), grid=grid, text="育秀路100弄12-401")
    assert first.pk == again.pk
    assert first.code == address_code("310120.01", "育秀路|100弄|12号|||401室")
    assert first.code.startswith("31012001-")
    assert first.full_text == "育秀路100弄12号401室"
    assert AuditEvent.objects.filter(action="address.create").count() == 1
    with pytest.raises(ServiceError, match="其他网格"):
        address_register(
            actor=persona("nanqiao"), grid=Unit.objects.get(code=NQ_GRID_2), text="育秀路100弄12号401室"
        )
    with pytest.raises(ServiceError, match="无法识别"):
        address_register(actor=persona("nanqiao"), grid=grid, text="育秀路100弄12号4楼")
    with pytest.raises(ServiceError, match="权限"):
        address_register(actor=persona("grid-nq"), grid=grid, text="育秀路100弄13号")


def test_unmatched_text_is_queued_and_resolved_by_a_person(persona):
    resident = Resident.objects.create(
        name="张三", document_kind="id_card", id_number="310120199001011237", phone="13800001111",
        residence_type="registered", unit_path=NQ_GRID,
    )  # fmt: skip
    review = resident_attach_address(actor=persona("nanqiao"), resident=resident, text="育秀路100弄12号4楼")
    assert review is not None
    assert review.state == AddressReview.State.PENDING
    resident.refresh_from_db()
    assert resident.address_id is None
    assert resident.reported_address == "育秀路100弄12号4楼"
    flat = _standard("育秀路|100弄|12号|||401室")
    with pytest.raises(ServiceError, match="本派出所"):
        address_review_resolve(
            actor=persona("admin"), review=review, address=_standard("头桥路||1号|||", TQ_GRID)
        )
    address_review_resolve(actor=persona("nanqiao"), review=review, address=flat)
    resident.refresh_from_db()
    assert resident.address_id == flat.pk
    assert resident.is_complete
    with pytest.raises(ServiceError, match="已经核对"):
        address_review_resolve(actor=persona("nanqiao"), review=review, address=None)


def test_matched_text_attaches_at_once(persona):
    flat = _standard("育秀路|100弄|12号|||401室")
    resident = Resident.objects.create(
        name="李四", document_kind="id_card", id_number="310120198001011232", phone="",
        residence_type="registered", unit_path=NQ_GRID,
    )  # fmt: skip
    assert (
        resident_attach_address(actor=persona("officer-nq"), resident=resident, text="育秀路100弄12-401")
        is None
    )
    resident.refresh_from_db()
    assert resident.address_id == flat.pk
    assert not resident.is_complete  # no phone yet


def test_bulk_matching_after_an_import_attaches_and_queues_once(persona):
    flat = _standard("育秀路|100弄|12号|||401室")
    texts = ["育秀路100弄12-401", "南桥镇育秀路100弄12号401室", "育秀路100弄12号4楼", "百齐路88号"]
    residents = [
        Resident.objects.create(
            name=f"居民{i}",
            document_kind="id_card",
            id_number=f"31012019900101{i:03d}X",
            phone="13800000000",
            residence_type="registered",
            unit_path=NQ_GRID,
            reported_address=text,
        )
        for i, text in enumerate(texts)
    ]
    summary = residents_match_addresses(unit_path="310120.01")
    assert (summary.matched, summary.queued) == (2, 2)
    attached = Resident.objects.filter(address=flat)
    assert set(attached.values_list("pk", flat=True)) == {residents[0].pk, residents[1].pk}
    assert all(attached.values_list("is_complete", flat=True))
    queued = set(AddressReview.objects.values_list("raw_text", flat=True))
    assert queued == {"育秀路100弄12号4楼", "百齐路88号"}
    again = residents_match_addresses(unit_path="310120.01")
    assert (again.matched, again.queued) == (0, 0)


def test_an_address_too_long_for_its_columns_is_refused_in_the_same_words_by_service_and_import(
    persona, tmp_path
):
    from linli.registry.services.imports.places import import_places

    grid = Unit.objects.get(code=NQ_GRID)
    text = "长" * 100 + "路100弄12号401室"
    with pytest.raises(ServiceError, match=r"^路/街/村最多 100 字$"):
        address_register(actor=persona("nanqiao"), grid=grid, text=text)
    path = tmp_path / "a.csv"
    path.write_text(f"地址\n{text}\n育秀路{'1' * 25}号\n", encoding="utf-8-sig")
    report = import_places(kind="addresses", actor=persona("nanqiao"), path=path, unit=grid)
    assert [e.message for e in report.errors] == ["路/街/村最多 100 字", "号最多 20 字"]
    assert not Address.objects.exists()
    resident = Resident.objects.create(
        name="张三", document_kind="id_card", id_number="310120199001011237",
        residence_type="registered", unit_path=NQ_GRID,
    )  # fmt: skip
    with pytest.raises(ServiceError, match=r"^最多 255 字$"):
        resident_attach_address(actor=persona("nanqiao"), resident=resident, text="育" * 256)
