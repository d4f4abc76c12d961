"""Importing residents: validation report, all-or-nothing writes, re-imports, hostile files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from linli.audit.models import AuditEvent
from linli.conftest import NQ_COMMUNITY, NQ_GRID, TQ_GRID
from linli.core.errors import ServiceError
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Resident
from linli.registry.services.imports.report import ImportFileError, report_rows
from linli.registry.services.imports.residents import import_residents

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "联系电话", "人口类型", "现住址"]


def _id(n: int, sex: str = "M") -> str:
    return make_id_number(
        "310120", date(1950 + n % 50, 1 + n % 12, 1 + n % 28), 10 + 2 * n + (sex == "M"), sex
    )


def _good_rows(n: int) -> list[list[str]]:
    return [[f"居民{i}", _id(i), f"1380000{i:04d}", "户籍", f"育秀路{i}号"] for i in range(n)]


def _csv(tmp_path: Path, rows: list[list[str]], encoding: str = "utf-8-sig", name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return path


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "r.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


@pytest.fixture
def grid():
    return Unit.objects.get(code=NQ_GRID)


def test_a_good_csv_is_imported_and_audited(tmp_path, persona, grid):
    report = import_residents(
        actor=persona("nanqiao"), path=_csv(tmp_path, [HEADER, *_good_rows(5)]), unit=grid
    )
    assert (report.total_rows, report.created, report.errors, report.written) == (5, 5, [], True)
    resident = Resident.objects.get(name="居民3")
    assert resident.unit_path == NQ_GRID
    assert resident.sex == "M"
    assert resident.phone_last4 == "0003"
    assert AuditEvent.objects.filter(action="resident.import", actor_username="nanqiao").exists()


def test_gbk_csv_and_xlsx_with_numeric_cells_are_read(tmp_path, persona, grid):
    gbk = import_residents(
        actor=None, path=_csv(tmp_path, [HEADER, *_good_rows(3)], encoding="gbk"), unit=grid
    )
    assert gbk.created == 3
    rows: list[list[object]] = [["姓名", "公民身份号码", "手机号"], ["数字格", _id(77), 13912345678]]
    xlsx = import_residents(actor=None, path=_xlsx(tmp_path, rows), unit=grid)
    assert (xlsx.created, xlsx.errors) == (1, [])
    assert Resident.objects.get(name="数字格").phone == "13912345678"


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(tmp_path, grid):
    rows = [HEADER, *_good_rows(3)]
    rows.insert(2, ["坏校验", _id(50)[:17] + ("0" if _id(50)[17] != "0" else "1"), "", "户籍", ""])
    rows.insert(4, ["坏日期", "310120199002301234", "12345", "外星", ""])
    report = import_residents(actor=None, path=_csv(tmp_path, rows), unit=grid)
    assert not report.written
    assert Resident.objects.count() == 0
    by_row = {(e.row, e.column) for e in report.errors}
    assert (3, "公民身份号码") in by_row
    assert {(5, "公民身份号码"), (5, "联系电话"), (5, "人口类型")} <= by_row
    assert report.rejected_rows == 2
    assert next(report_rows(report)) == ["行号", "列", "问题"]
    assert any("出生日期" in e.message for e in report.errors)


def test_the_user_may_write_only_the_valid_rows(tmp_path, grid):
    rows = [HEADER, *_good_rows(3), ["", _id(90), "", "", ""]]
    report = import_residents(actor=None, path=_csv(tmp_path, rows), unit=grid, write_valid_rows=True)
    assert (report.created, report.rejected_rows, report.written) == (3, 1, True)
    assert report.errors[0].row == 5


def test_dry_run_writes_nothing(tmp_path, grid):
    report = import_residents(
        actor=None, path=_csv(tmp_path, [HEADER, *_good_rows(4)]), unit=grid, dry_run=True
    )
    assert (report.total_rows, report.written) == (4, False)
    assert Resident.objects.count() == 0


def test_reimport_updates_instead_of_duplicating(tmp_path, grid):
    path = _csv(tmp_path, [HEADER, *_good_rows(4)])
    import_residents(actor=None, path=path, unit=grid)
    again = import_residents(actor=None, path=path, unit=grid)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    changed = _good_rows(4)
    changed[1][2] = "13999999999"
    third = import_residents(actor=None, path=_csv(tmp_path, [HEADER, *changed], name="b.csv"), unit=grid)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert Resident.objects.count() == 4


def test_a_duplicate_id_inside_one_file_is_an_error(tmp_path, grid):
    rows = [HEADER, *_good_rows(2), ["重复", _id(1), "", "", ""]]
    report = import_residents(actor=None, path=_csv(tmp_path, rows), unit=grid)
    assert report.errors[0].row == 4
    assert "第 3 行" in report.errors[0].message


def _zip_bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: ((p / "e.csv").write_bytes(b"") and None) or p / "e.csv", "文件是空的"),
        (lambda p: _csv(p, [["姓名", "电话"], ["张三", "13800000000"]]), "缺少必需的列：公民身份号码"),
        (lambda p: _csv(p, [HEADER]), "只有表头"),
        (lambda p: (p / "fake.xlsx").write_bytes(b"PK\x03\x04garbage") and p / "fake.xlsx", "文件已损坏"),
        (
            lambda p: (p / "img.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00") and p / "img.xlsx",
            "不是文本表格",
        ),
        (_zip_bomb, "压缩炸弹"),
        (lambda p: p / "missing.csv", "找不到文件"),
    ],
)
def test_hostile_or_broken_files_get_a_clear_error_and_change_nothing(tmp_path, grid, make, message):
    with pytest.raises(ImportFileError, match=message):
        import_residents(actor=None, path=make(tmp_path), unit=grid)
    assert Resident.objects.count() == 0


def test_a_file_over_the_row_limit_is_refused(tmp_path, grid, settings):
    settings.LINLI_IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportFileError, match="上限"):
        import_residents(actor=None, path=_csv(tmp_path, [HEADER, *_good_rows(5)]), unit=grid)
    assert Resident.objects.count() == 0


def test_scope_and_target_are_checked(tmp_path, persona, grid):
    path = _csv(tmp_path, [HEADER, *_good_rows(1)])
    with pytest.raises(ServiceError, match="权限"):
        import_residents(actor=persona("touqiao"), path=path, unit=grid)
    with pytest.raises(ServiceError, match="权限"):
        import_residents(actor=persona("grid-nq"), path=path, unit=grid)
    with pytest.raises(ImportFileError, match="网格"):
        import_residents(actor=persona("nanqiao"), path=path, unit=Unit.objects.get(code=NQ_COMMUNITY))


def test_the_command_reports_and_refuses_partial_writes(tmp_path):
    rows = [HEADER, *_good_rows(2), ["", "bad", "", "", ""]]
    out, err = io.StringIO(), io.StringIO()
    report_path = tmp_path / "report.csv"
    source = str(_csv(tmp_path, rows))
    args = ["import", "residents", source, "--unit", TQ_GRID, "--report", str(report_path)]
    call_command(*args, stdout=out, stderr=err)
    assert "未写入" in out.getvalue()
    assert "第 4 行" in err.getvalue()
    assert "行号,列,问题" in report_path.read_text(encoding="utf-8-sig")
    assert Resident.objects.count() == 0
    with pytest.raises(CommandError, match="找不到单位"):
        call_command("import", "residents", str(_csv(tmp_path, rows)), "--unit", "nope")


# ---------------------------------------------------------------- the streaming, transactional write


@pytest.fixture
def small_chunks(settings):
    """Chunks of two rows, so that a handful of rows crosses several chunks and several writes."""
    settings.LINLI_IMPORT_CHUNK_ROWS = 2


def test_an_error_in_a_late_chunk_undoes_the_rows_written_before_it(tmp_path, grid, small_chunks):
    rows = [HEADER, *_good_rows(7), ["迟到的错", "310120199002301234", "", "", ""]]
    report = import_residents(actor=None, path=_csv(tmp_path, rows), unit=grid)
    assert (report.total_rows, report.written, report.rejected_rows) == (8, False, 1)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert Resident.objects.count() == 0
    assert not AuditEvent.objects.filter(action="resident.import").exists()


def test_the_row_limit_met_in_a_late_chunk_undoes_everything(tmp_path, grid, small_chunks, settings):
    settings.LINLI_IMPORT_MAX_ROWS = 5
    with pytest.raises(ImportFileError, match="上限"):
        import_residents(actor=None, path=_csv(tmp_path, [HEADER, *_good_rows(9)]), unit=grid)
    assert Resident.objects.count() == 0


def test_counts_are_exact_across_chunks(tmp_path, persona, grid, small_chunks):
    import_residents(actor=None, path=_csv(tmp_path, [HEADER, *_good_rows(5)]), unit=grid)
    rows = _good_rows(9)
    rows[0][0] = "改名"
    rows[3][4] = "新地址"
    report = import_residents(
        actor=persona("nanqiao"), path=_csv(tmp_path, [HEADER, *rows], name="b.csv"), unit=grid
    )
    assert (report.created, report.updated, report.unchanged, report.written) == (4, 2, 3, True)
    assert Resident.objects.count() == 9
    assert Resident.objects.get(id_number=_id(3)).reported_address == "新地址"
    event = AuditEvent.objects.filter(action="resident.import", actor_username="nanqiao").get()
    assert event.detail == {"rows": 9, "created": 4, "updated": 2, "unchanged": 3, "rejected": 0}


def test_a_duplicate_in_a_later_chunk_names_the_first_row(tmp_path, grid, small_chunks):
    rows = [HEADER, *_good_rows(6), ["重复", _id(0), "", "", ""]]
    report = import_residents(actor=None, path=_csv(tmp_path, rows), unit=grid, write_valid_rows=True)
    assert [(e.row, e.message) for e in report.errors] == [(8, "与第 2 行的身份证号重复")]
    assert (report.created, report.written) == (6, True)


def test_only_a_changed_row_gets_a_new_updated_at(tmp_path, grid):
    path = _csv(tmp_path, [HEADER, *_good_rows(2)])
    import_residents(actor=None, path=path, unit=grid)
    before = {r.id_number: (r.created_at, r.updated_at) for r in Resident.objects.all()}
    changed = _good_rows(2)
    changed[1][3] = "流动"
    import_residents(actor=None, path=_csv(tmp_path, [HEADER, *changed], name="b.csv"), unit=grid)
    after = {r.id_number: (r.created_at, r.updated_at) for r in Resident.objects.all()}
    assert after[_id(0)] == before[_id(0)]
    assert after[_id(1)][0] == before[_id(1)][0]
    assert after[_id(1)][1] > before[_id(1)][1]
    assert Resident.objects.get(id_number=_id(1)).residence_type == Resident.ResidenceType.FLOATING


def test_a_resident_imported_into_another_grid_stays_where_it_is(tmp_path, grid):
    # Moving a resident between units is its own service; an import only reports the row.
    path = _csv(tmp_path, [HEADER, *_good_rows(1)])
    import_residents(actor=None, path=path, unit=grid)
    report = import_residents(actor=None, path=path, unit=Unit.objects.get(code=TQ_GRID))
    assert (report.created, report.updated, report.rejected_rows, report.written) == (0, 0, 1, False)
    assert Resident.objects.get().unit_path == NQ_GRID


def test_values_are_stored_as_the_validators_normalise_them(tmp_path, grid):
    x_number = next(n for n in (_id(i, "F") for i in range(40)) if n.endswith("X"))
    full_width = _id(2).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        HEADER,
        ["小写x", x_number.lower(), "+86 138 0000 0001", "常住人口", "育秀路1号"],
        ["全角", full_width, "（０２１）５７１０１２３４", "来沪", ""],
        ["分组", f"{_id(3)[:6]} {_id(3)[6:14]} {_id(3)[14:]}", "021-57101234转801", "", "育秀路3号"],
    ]
    report = import_residents(actor=None, path=_csv(tmp_path, rows), unit=grid)
    assert (report.created, report.errors) == (3, [])
    stored = {r.name: r for r in Resident.objects.all()}
    assert (stored["小写x"].id_number, stored["小写x"].phone, stored["小写x"].sex) == (
        x_number,
        "13800000001",
        "F",
    )
    assert (stored["全角"].id_number, stored["全角"].phone, stored["全角"].phone_last4) == (
        _id(2),
        "021-57101234",
        "1234",
    )
    assert (stored["全角"].is_complete, stored["全角"].residence_type) == (False, "floating")
    assert (stored["分组"].id_number, stored["分组"].phone, stored["分组"].is_complete) == (
        _id(3),
        "021-57101234",
        True,
    )
    assert stored["分组"].birth_date == date(1953, 4, 4)
    # The fast path and parse_id_number agree, and the same number in either form is one person.
    same = [HEADER, ["全角", _id(2), "021-57101234", "来沪", ""]]
    again = import_residents(actor=None, path=_csv(tmp_path, same, name="b.csv"), unit=grid)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_cell_text_with_tabs_breaks_controls_and_backslashes_is_stored_safely(tmp_path, grid):
    rows = [HEADER, *_good_rows(2)]
    path = tmp_path / "odd.csv"
    body = "\n".join(",".join(r) for r in rows[:2])
    odd = f'\n"张\t三",{_id(1)},,户籍,"育秀路\n12号\\401室\x07"\n'
    path.write_text(body + odd, encoding="utf-8")
    report = import_residents(actor=None, path=path, unit=grid)
    assert (report.created, report.errors) == (2, [])
    resident = Resident.objects.get(id_number=_id(1))
    assert (resident.name, resident.reported_address) == ("张 三", "育秀路 12号\\401室")


def test_private_use_characters_in_names_are_kept(tmp_path, grid):
    name = "王\ue000明"  # a rare character that a government system encoded in the private use area
    report = import_residents(
        actor=None, path=_csv(tmp_path, [HEADER, [name, _id(1), "", "", ""]]), unit=grid
    )
    assert report.created == 1
    assert Resident.objects.get().name == name


def test_dry_run_reports_progress_and_writes_nothing(tmp_path, grid, small_chunks):
    seen: list[int] = []
    report = import_residents(
        actor=None,
        path=_csv(tmp_path, [HEADER, *_good_rows(5)]),
        unit=grid,
        dry_run=True,
        progress=seen.append,
    )
    assert (report.total_rows, report.written) == (5, False)
    assert seen == [2, 4, 5]
    assert Resident.objects.count() == 0


def test_the_command_prints_progress_at_verbosity_2(tmp_path, small_chunks):
    out, err = io.StringIO(), io.StringIO()
    source = str(_csv(tmp_path, [HEADER, *_good_rows(3)]))
    call_command("import", "residents", source, "--unit", TQ_GRID, "-v", "2", stdout=out, stderr=err)
    assert "已处理 2 行" in err.getvalue()
    assert "新增 3" in out.getvalue()


def test_a_workbook_with_formulas_is_refused(tmp_path, grid):
    rows: list[list[object]] = [[*HEADER], ["公式", _id(5), "=1+1", "户籍", ""]]
    with pytest.raises(ImportFileError, match="公式"):
        import_residents(actor=None, path=_xlsx(tmp_path, rows), unit=grid)
    assert Resident.objects.count() == 0


def test_text_too_long_for_its_column_is_the_rows_error_not_cut_short(tmp_path, persona, grid):
    header = [*HEADER, "户号", "与户主关系"]
    rows = [
        ["长" * 51, _id(1), "13800000001", "户籍", "育秀路1号", "", ""],
        ["居民二", _id(2), "13800000002", "户籍", "育秀路" + "九" * 260 + "号", "1" * 31, "关" * 21],
    ]
    report = import_residents(actor=persona("nanqiao"), path=_csv(tmp_path, [header, *rows]), unit=grid)
    assert report.created == 0
    assert sorted((e.row, e.column, e.message) for e in report.errors) == [
        (2, "姓名", "最多 50 字"),
        (3, "与户主关系", "最多 20 字"),
        (3, "户号", "最多 30 字"),
        (3, "现住址", "最多 255 字"),
    ]
