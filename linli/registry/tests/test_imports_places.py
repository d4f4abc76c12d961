"""Importing standard addresses, housing and businesses: the same rules as the resident import."""

from __future__ import annotations

from pathlib import Path

import pytest

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID, NQ_GRID_2
from linli.lib.credit_code import make_credit_code
from linli.org.models import Unit
from linli.registry.models import Address, Business, Housing
from linli.registry.services.imports.places import import_places
from linli.registry.services.imports.report import ImportFileError

pytestmark = pytest.mark.django_db


def _csv(tmp_path: Path, rows: list[list[str]], name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    return path


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _addresses(tmp_path, persona):
    rows = [["地址"], ["育秀路100弄12号401室"], ["育秀路100弄12号402室"], ["育秀路100弄14号101室"]]
    return import_places(
        kind="addresses", actor=persona("nanqiao"), path=_csv(tmp_path, rows), unit=_unit(NQ_GRID)
    )


def test_addresses_are_created_once_and_updated_when_moved(tmp_path, persona):
    report = _addresses(tmp_path, persona)
    assert (report.created, report.written) == (3, True)
    again = _addresses(tmp_path, persona)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    grid2 = _unit(NQ_GRID_2)
    rows = [["标准地址", "所属网格"], ["育秀路１００弄１２号４０１室", grid2.code]]
    moved = import_places(
        kind="addresses",
        actor=persona("nanqiao"),
        unit=_unit(NQ_COMMUNITY),
        path=_csv(tmp_path, rows, "m.csv"),
    )
    assert moved.updated == 1
    assert Address.objects.get(key="育秀路|100弄|12号|||401室").unit_path == grid2.path


def test_bad_address_rows_are_reported_and_nothing_is_written(tmp_path, persona):
    rows = [
        ["地址", "网格"],
        ["育秀路100弄12号401室", "第一网格"],
        ["育秀路100弄12号4楼", "第一网格"],
        ["育秀路100弄12号402室", ""],
        ["育秀路100弄12号403室", "不存在的网格"],
        ["育秀路100弄12-401", "第一网格"],
    ]
    report = import_places(
        kind="addresses", actor=persona("nanqiao"), path=_csv(tmp_path, rows), unit=_unit(NQ_COMMUNITY)
    )
    by_row = {e.row: e.message for e in report.errors}
    assert set(by_row) == {3, 4, 5, 6}
    assert "无法识别" in by_row[3]
    assert "所属网格" in by_row[4]
    assert "不是导入目标下的网格" in by_row[5]
    assert "与第 2 行重复" in by_row[6]
    assert not report.written
    assert not Address.objects.exists()


def test_housing_needs_a_standard_address(tmp_path, persona):
    _addresses(tmp_path, persona)
    rows = [
        ["房屋地址", "使用情况", "房主姓名", "房主电话", "承租人数"],
        ["育秀路100弄12号401室", "出租", "王房东", "13900001111", "3"],
        ["育秀路100弄12号402室", "自住", "", "", ""],
        ["育秀路100弄99号101室", "自住", "", "", ""],
        ["育秀路100弄14号101室", "借住", "", "12", "x"],
    ]
    report = import_places(
        kind="housing", actor=persona("officer-nq"), path=_csv(tmp_path, rows, "h.csv"), unit=_unit(NQ_GRID),
        write_valid_rows=True,
    )  # fmt: skip
    assert (report.created, report.rejected_rows, report.written) == (2, 2, True)
    assert {e.column for e in report.errors if e.row == 5} == {"使用情况"}
    assert "标准地址" in next(e.message for e in report.errors if e.row == 4)
    rented = Housing.objects.get(address__key="育秀路|100弄|12号|||401室")
    assert (rented.usage, rented.owner_phone, rented.tenant_count) == ("rented", "13900001111", 3)


def test_businesses_are_keyed_by_credit_code_or_name(tmp_path, persona):
    _addresses(tmp_path, persona)
    code = make_credit_code("310120", 555)
    rows = [
        ["单位名称", "类型", "统一社会信用代码", "地址", "联系人", "联系电话"],
        ["南桥便利店", "商铺", "", "育秀路100弄14号101室", "李店主", "021-57101234"],
        ["奉贤建材有限公司", "企业", code, "", "张经理", "13812345678"],
        ["坏代码公司", "企业", code[:-1] + ("0" if code[-1] != "0" else "1"), "", "", ""],
    ]
    first = import_places(
        kind="businesses", actor=persona("nanqiao"), path=_csv(tmp_path, rows, "b.csv"), unit=_unit(NQ_GRID),
        write_valid_rows=True,
    )  # fmt: skip
    assert (first.created, first.rejected_rows) == (2, 1)
    assert "校验位" in first.errors[0].message
    rows[2][4] = "王经理"
    again = import_places(
        kind="businesses",
        actor=persona("nanqiao"),
        path=_csv(tmp_path, rows[:3], "b2.csv"),
        unit=_unit(NQ_GRID),
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Business.objects.get(credit_code=code).contact_name == "王经理"
    assert Business.objects.get(name="南桥便利店").address is not None


def test_scope_and_targets_are_checked(tmp_path, persona):
    path = _csv(tmp_path, [["地址"], ["育秀路100弄12号401室"]])
    with pytest.raises(Exception, match="权限"):
        import_places(kind="addresses", actor=persona("grid-nq"), path=path, unit=_unit(NQ_GRID))
    with pytest.raises(Exception, match="权限"):
        import_places(kind="addresses", actor=persona("touqiao"), path=path, unit=_unit(NANQIAO))
    with pytest.raises(ImportFileError, match="缺少必需的列"):
        import_places(kind="housing", actor=None, path=path, unit=_unit(NQ_GRID))


def test_the_command_imports_each_kind(tmp_path):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    path = _csv(tmp_path, [["地址"], ["育秀路100弄12号401室"]])
    call_command("import", "addresses", str(path), "--unit", NQ_GRID, stdout=out)
    assert "新增 1" in out.getvalue()
    assert Address.objects.filter(unit_path=NQ_GRID).count() == 1


def test_residents_imported_before_their_addresses_are_matched_when_the_addresses_arrive(tmp_path):
    import io

    from django.core.management import call_command

    from linli.lib.idcard import make_id_number
    from linli.registry.models import AddressReview, Resident

    id_number = make_id_number("310120", __import__("datetime").date(1950, 5, 5), 11, "M")
    people = _csv(
        tmp_path,
        [
            ["姓名", "身份证号", "联系电话", "现住址"],
            ["周老伯", id_number, "13800001111", "育秀路100弄12号401室"],
        ],
        "p.csv",
    )
    out = io.StringIO()
    call_command("import", "residents", str(people), "--unit", NQ_GRID, stdout=out)
    assert "0 人对应到标准地址，1 条待核对" in out.getvalue()
    assert Resident.objects.get().address is None
    call_command(
        "import",
        "addresses",
        str(_csv(tmp_path, [["地址"], ["育秀路100弄12号401室"]], "a.csv")),
        "--unit",
        NQ_GRID,
        stdout=out,
    )
    resident = Resident.objects.get()
    assert resident.address is not None and resident.is_complete
    assert "1 人对应到标准地址" in out.getvalue()
    review = AddressReview.objects.get()
    assert (review.state, review.resolved_address_id) == ("matched", resident.address_id)


def test_text_too_long_for_its_column_is_the_rows_error_not_cut_short(tmp_path, persona):
    _addresses(tmp_path, persona)
    housing = [["房屋地址", "使用情况", "房主姓名"], ["育秀路100弄12号401室", "出租", "王" * 51]]
    businesses = [
        ["单位名称", "类型", "地址", "联系人"],
        ["店" * 101, "商铺", "育秀路100弄14号101室", ""],
        ["南桥便利店", "商铺", "育秀路100弄14号101室", "李" * 51],
    ]
    unit = _unit(NQ_GRID)
    h = import_places(
        kind="housing", actor=persona("nanqiao"), path=_csv(tmp_path, housing, "h.csv"), unit=unit
    )
    b = import_places(
        kind="businesses", actor=persona("nanqiao"), path=_csv(tmp_path, businesses, "b.csv"), unit=unit
    )
    assert [(e.row, e.column, e.message) for e in h.errors] == [(2, "房主姓名", "最多 50 字")]
    assert [(e.row, e.column, e.message) for e in b.errors] == [
        (2, "单位名称", "最多 100 字"),
        (3, "联系人", "最多 50 字"),
    ]
    assert not Housing.objects.exists() and not Business.objects.exists()
