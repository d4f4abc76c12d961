"""Imports never cross scope: a key held outside the importer's scope is that row's error and changes nothing.

The holders live in another station (头桥), another district (昂素) and, for the community officer, a
committee of 南桥 outside their two. Every path is tried: the CLI (no user: the target grid's subtree),
the services behind the web page (the target within the user's scope), all-or-nothing and --write-valid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from linli.audit.models import AuditEvent
from linli.conftest import ANGSU_TOWN, NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.lib.credit_code import make_credit_code
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Address, Business, Housing, ImportJob, Resident
from linli.registry.services.imports import jobs
from linli.registry.services.imports.places import ADDRESS_OUTSIDE, BUSINESS_OUTSIDE, import_places
from linli.registry.services.imports.residents import OUT_OF_SCOPE_MESSAGE, import_residents

pytestmark = pytest.mark.django_db

MESSAGE = "该身份证号已登记在您的管辖范围之外，请联系其所在单位办理迁移"
HEADER = ["姓名", "身份证号", "联系电话", "人口类型", "现住址"]
AS_GRID = f"{ANGSU_TOWN}.001.01"
NQ_OTHER_COMMUNITY_GRID = f"{NANQIAO}.003.01"


def _id(n: int) -> str:
    return make_id_number("310120", date(1960 + n % 40, 1 + n % 12, 1 + n % 28), 30 + 2 * n, "F")


def _csv(tmp_path: Path, rows: list[list[str]], name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    return path


def _holder(n: int, unit_path: str) -> Resident:
    return Resident.objects.create(
        name=f"原住户{n}",
        document_kind=Resident.DocumentKind.ID_CARD,
        id_number=_id(n),
        phone=f"1390000{n:04d}",
        phone_last4=f"{n:04d}",
        residence_type=Resident.ResidenceType.REGISTERED,
        unit_path=unit_path,
        reported_address=f"原地址{n}号",
    )


def _state(n: int) -> tuple[str, str, str, str, object]:
    r = Resident.objects.get(id_number=_id(n))
    return (r.name, r.unit_path, r.phone, r.reported_address, r.updated_at)


@pytest.fixture
def holders() -> dict[str, Resident]:
    """Residents already registered: one in the target grid, the others where an importer may not write."""
    return {
        "mine": _holder(1, NQ_GRID),
        "station": _holder(2, TQ_GRID),
        "district": _holder(3, AS_GRID),
        "neighbour_grid": _holder(4, NQ_GRID_2),
        "other_committee": _holder(5, NQ_OTHER_COMMUNITY_GRID),
    }


def _rows(*numbers: int) -> list[list[str]]:
    return [[f"导入{n}", _id(n), f"1370000{n:04d}", "流动", f"新地址{n}号"] for n in numbers]


def test_a_number_held_in_another_station_or_district_is_that_rows_error(tmp_path, persona, holders):
    before = {n: _state(n) for n in (2, 3, 4, 5)}
    # Row 2: new; row 3: mine (updated); rows 4–7: held outside the target grid.
    path = _csv(tmp_path, [HEADER, *_rows(9, 1, 2, 3, 4, 5)])
    report = import_residents(actor=persona("nanqiao"), path=path, unit=Unit.objects.get(code=NQ_GRID))
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (row, "公民身份号码", MESSAGE) for row in (4, 5, 6, 7)
    ]
    assert OUT_OF_SCOPE_MESSAGE == MESSAGE
    assert not report.written
    assert {n: _state(n) for n in (2, 3, 4, 5)} == before
    assert _state(1)[0] == "原住户1"
    assert not Resident.objects.filter(id_number=_id(9)).exists()

    valid = import_residents(
        actor=persona("nanqiao"), path=path, unit=Unit.objects.get(code=NQ_GRID), write_valid_rows=True
    )
    assert valid.written
    assert (valid.created, valid.updated, valid.unchanged, valid.rejected_rows) == (1, 1, 0, 4)
    assert {n: _state(n) for n in (2, 3, 4, 5)} == before
    assert _state(1)[:4] == ("导入1", NQ_GRID, "13700000001", "新地址1号")


def test_the_counts_are_those_of_the_file_without_the_refused_rows(tmp_path, persona, holders):
    grid = Unit.objects.get(code=NQ_GRID)
    with_outside = import_residents(
        actor=None, path=_csv(tmp_path, [HEADER, *_rows(9, 1, 2, 3)]), unit=grid, write_valid_rows=True
    )
    # The same rows, with two numbers nobody holds but that are wrong (a bad check digit): same counts.
    bad = [[f"错{n}", _id(n)[:17] + ("0" if _id(n)[17] != "0" else "1"), "", "", ""] for n in (7, 8)]
    Resident.objects.filter(id_number__in=[_id(9)]).delete()
    Resident.objects.filter(id_number=_id(1)).update(
        name="原住户1", phone="13900000001", reported_address="原地址1号", residence_type="registered"
    )
    with_absent = import_residents(
        actor=None,
        path=_csv(tmp_path, [HEADER, *_rows(9, 1), *bad], "b.csv"),
        unit=grid,
        write_valid_rows=True,
    )
    counts = ("total_rows", "created", "updated", "unchanged", "rejected_rows")
    assert [getattr(with_outside, c) for c in counts] == [getattr(with_absent, c) for c in counts]
    assert "更新 1" in with_outside.summary() and "有误 2" in with_outside.summary()


def test_every_touched_unit_and_every_holder_unit_gets_an_audit_event(tmp_path, persona, holders):
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    import_residents(
        actor=persona("nanqiao"),
        path=_csv(tmp_path, [HEADER, *_rows(9, 1, 2, 3)]),
        unit=Unit.objects.get(code=NQ_GRID),
        write_valid_rows=True,
    )
    events = AuditEvent.objects.filter(pk__gt=start)
    written = events.get(action="resident.import")
    assert written.unit_path == NQ_GRID
    assert written.detail == {"rows": 4, "created": 1, "updated": 1, "unchanged": 0, "rejected": 2}
    refused = {e.unit_path: e.detail for e in events.filter(action="resident.import_refused")}
    assert refused == {
        TQ_GRID: {"refused": 1, "target_unit": NQ_GRID},
        AS_GRID: {"refused": 1, "target_unit": NQ_GRID},
    }
    for event in events:
        text = str(event.detail)
        assert not any(_id(n) in text or _id(n)[:17] in text for n in (1, 2, 3, 9))


def test_the_cli_keeps_to_the_target_grid(tmp_path, holders, capsys):
    before = _state(2)
    path = _csv(tmp_path, [HEADER, *_rows(9, 2)])
    call_command("import", "residents", str(path), "--unit", NQ_GRID, "--write-valid", verbosity=0)
    out = capsys.readouterr()
    assert "第 3 行 公民身份号码：" + MESSAGE in out.err
    assert "新增 1，更新 0，未变 0，有误 1（已写入）" in out.out
    assert _state(2) == before


def test_a_web_import_keeps_to_the_users_scope(persona, holders, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    before = {n: _state(n) for n in (4, 5)}
    grid = Unit.objects.get(code=NQ_GRID)
    text = "\n".join(",".join(r) for r in [HEADER, *_rows(9, 4, 5)]) + "\n"
    upload = SimpleUploadedFile("人口.csv", text.encode("utf-8-sig"), content_type="text/csv")
    officer = persona("officer-nq")
    job = jobs.import_job_create(actor=officer, unit=grid, upload=upload)
    job.refresh_from_db()
    assert job.state == ImportJob.State.VALIDATED
    assert job.rejected == 2
    jobs.import_job_write(actor=officer, job=job, write_valid_rows=True)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert {n: _state(n) for n in (4, 5)} == before
    assert Resident.objects.get(id_number=_id(9)).unit_path == NQ_GRID


# --- addresses, housing, businesses ---------------------------------------------------------------


def _places(tmp_path, kind, rows, *, actor, unit, write_valid_rows=False):
    return import_places(
        kind=kind,
        actor=actor,
        path=_csv(tmp_path, rows, f"{kind}.csv"),
        unit=Unit.objects.get(code=unit),
        write_valid_rows=write_valid_rows,
    )


def test_an_address_held_in_another_committee_is_not_moved(tmp_path, persona):
    # 南桥's office registers the address in a committee the community officer does not cover.
    _places(
        tmp_path,
        "addresses",
        [["地址"], ["育秀路300号"]],
        actor=persona("nanqiao"),
        unit=NQ_OTHER_COMMUNITY_GRID,
    )
    held = Address.objects.get(key__startswith="育秀路|")
    rows = [["地址", "所属网格"], ["育秀路300号", NQ_GRID], ["育秀路302号", NQ_GRID]]
    for write_valid in (False, True):
        report = _places(
            tmp_path,
            "addresses",
            rows,
            actor=persona("officer-nq"),
            unit=NQ_COMMUNITY,
            write_valid_rows=write_valid,
        )
        assert [(e.row, e.message) for e in report.errors] == [(2, ADDRESS_OUTSIDE)]
        assert (report.created, report.updated, report.written) == (
            (1, 0, True) if write_valid else (0, 0, False)
        )
        after = Address.objects.get(pk=held.pk)
        assert (after.unit_path, after.grid_id, after.updated_at) == (
            held.unit_path,
            held.grid_id,
            held.updated_at,
        )


def test_housing_of_an_address_outside_the_target_is_refused(tmp_path, persona):
    _places(tmp_path, "addresses", [["地址"], ["育秀路310号"]], actor=persona("nanqiao"), unit=NQ_GRID_2)
    _places(
        tmp_path,
        "housing",
        [["房屋地址", "使用情况", "房主电话"], ["育秀路310号", "自住", "13800000310"]],
        actor=persona("nanqiao"),
        unit=NQ_GRID_2,
    )
    held = Housing.objects.get()
    report = _places(
        tmp_path,
        "housing",
        [["房屋地址", "使用情况", "房主电话"], ["育秀路310号", "出租", "13800000999"]],
        actor=persona("nanqiao"),
        unit=NQ_GRID,
        write_valid_rows=True,
    )
    assert report.rejected_rows == 1 and report.updated == 0
    after = Housing.objects.get()
    assert (after.usage, after.owner_phone, after.unit_path) == (held.usage, held.owner_phone, held.unit_path)


def test_a_credit_code_held_in_another_station_is_that_rows_error(tmp_path, persona):
    code, other = make_credit_code("310120", 4242), make_credit_code("310120", 4343)
    held = Business.objects.create(
        name="头桥五金店",
        kind=Business.Kind.SHOP,
        credit_code=code,
        unit_path=TQ_GRID,
        contact_phone="13800004242",
    )
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows = [
        ["单位名称", "统一社会信用代码", "所属网格", "联系电话"],
        ["冒名五金店", code, NQ_GRID, "13900000000"],
        ["南桥书店", other, NQ_GRID, ""],
        ["南桥花店", "", NQ_GRID_2, ""],
    ]
    for write_valid in (False, True):
        report = _places(
            tmp_path, "businesses", rows, actor=persona("nanqiao"), unit=NANQIAO, write_valid_rows=write_valid
        )
        assert [(e.row, e.column, e.message) for e in report.errors] == [
            (2, "统一社会信用代码", BUSINESS_OUTSIDE)
        ]
        after = Business.objects.get(pk=held.pk)
        assert (after.name, after.unit_path, after.contact_phone, after.updated_at) == (
            held.name,
            held.unit_path,
            held.contact_phone,
            held.updated_at,
        )
    assert report.created == 2
    events = AuditEvent.objects.filter(pk__gt=start)
    # One event for each grid the rows landed in, one for the holder's grid; none for the station itself.
    written = {e.unit_path: e.detail for e in events.filter(action="businesses.import")}
    assert written == {
        NQ_GRID: {"created": 1, "target_unit": NANQIAO},
        NQ_GRID_2: {"created": 1, "target_unit": NANQIAO},
    }
    refused = [(e.unit_path, e.detail["refused"]) for e in events.filter(action="businesses.import_refused")]
    assert refused == [(TQ_GRID, 1), (TQ_GRID, 1)]
    assert not any(code in str(e.detail) for e in events)


def test_the_upsert_itself_never_updates_a_holder_outside_the_target(holders):
    # The second line behind the per-chunk check: a holder that appeared after it is left alone.
    from django.db import transaction
    from django.utils import timezone

    from linli.registry.services.imports.writers import resident_writer

    before = _state(2)
    row = ("冒名", _id(2), "F", "1961-03-03", "13700000002", "0002", "floating", "新地址", "", "", 1)
    with transaction.atomic():
        writer = resident_writer(unit_path=NQ_GRID, now=timezone.now())
        try:
            writer.write([row])
            assert writer.finish() == (0, 0, 1)
        finally:
            writer.close()
    assert _state(2) == before
