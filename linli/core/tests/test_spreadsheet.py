"""The one export module: formula-like text stays text, the sheet is readable and prints on A4."""

from __future__ import annotations

import csv
import datetime
import io
from urllib.parse import unquote

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from linli.core.spreadsheet import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Column,
    Text,
    ascii_filename,
    csv_bytes,
    display_width,
    download_response,
    safe_text,
    xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
    "=1+1",
]
COLUMNS = [Column("姓名"), Column("住址"), Column("备注"), Column("年龄")]


def _rows():
    return [[value, f"{value}路1号", value, 40] for value in HOSTILE]


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _calamine(data: bytes):
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_safe_text_marks_formula_like_strings_and_keeps_them_intact():
    for value in HOSTILE:
        marked = safe_text(value)
        assert isinstance(marked, Text)
        assert marked == value
    assert not isinstance(safe_text("张三"), Text)
    assert safe_text(-5) == -5
    assert safe_text(None) is None


def test_no_cell_of_the_xlsx_is_a_formula_and_the_text_is_as_typed():
    data = xlsx_bytes(sheet_title="名单", title="测试名单", columns=COLUMNS, rows=_rows())
    sheet = _open(data)
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells, "the sheet is empty"
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    # calamine decodes the escaped CR as Excel does: every value comes back exactly as typed.
    values = _calamine(data)
    assert values[0][0] == "测试名单"
    assert values[1] == ["姓名", "住址", "备注", "年龄"]
    assert [row[0] for row in values[2:]] == HOSTILE
    assert [row[2] for row in values[2:]] == HOSTILE
    assert [row[1] for row in values[2:]] == [f"{v}路1号" for v in HOSTILE]
    assert values[2][3] == 40


def test_the_check_would_see_a_formula():
    """The reader used above does report formulas, so the assertion can fail."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    workbook.add_worksheet().write("A1", "=1+1")
    workbook.close()
    assert _open(buffer.getvalue())["A1"].data_type == "f"


def test_the_header_is_bold_frozen_and_repeated_when_printed():
    sheet = _open(xlsx_bytes(sheet_title="名单", title="测试名单", columns=COLUMNS, rows=_rows()))
    assert sheet.title == "名单"
    assert sheet["A2"].value == "姓名"
    assert sheet["A2"].font.b
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$2:$2"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:D1"]


def test_without_a_title_the_header_is_the_first_row():
    sheet = _open(xlsx_bytes(sheet_title="名单", title=None, columns=COLUMNS, rows=[]))
    assert [c.value for c in sheet[1]] == ["姓名", "住址", "备注", "年龄"]
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"


def test_widths_fit_chinese_text():
    assert display_width("张三") == 4
    assert display_width("ab张") == 4
    address = "上海市奉贤区南桥镇江海路一千二百三十四弄五十六号"
    sheet = _open(
        xlsx_bytes(
            sheet_title="名单",
            title=None,
            columns=[Column("姓名"), Column("住址"), Column("固定", width=9)],
            rows=[["张三", address, "x"]],
        )
    )
    assert sheet.column_dimensions["A"].width >= 6
    assert sheet.column_dimensions["B"].width >= 2 * len(address)
    assert sheet.column_dimensions["C"].width == pytest.approx(9, abs=1)


def test_it_prints_on_a4_fit_to_width_with_page_numbers():
    narrow = _open(xlsx_bytes(sheet_title="a", title=None, columns=[Column("姓名")], rows=[["张三"]]))
    assert narrow.page_setup.paperSize == 9
    assert narrow.page_setup.orientation == "portrait"
    assert narrow.sheet_properties.pageSetUpPr.fitToPage
    assert narrow.page_setup.fitToHeight == 0
    assert "&P" in narrow.oddFooter.center.text
    wide_columns = [Column(f"第{i}列", width=12) for i in range(10)]
    wide = _open(xlsx_bytes(sheet_title="a", title=None, columns=wide_columns, rows=[]))
    assert wide.page_setup.orientation == "landscape"


def test_dates_numbers_and_empty_cells_keep_their_types():
    day = datetime.date(2026, 3, 1)
    sheet = _open(
        xlsx_bytes(
            sheet_title="a",
            title=None,
            columns=[Column("日期"), Column("数"), Column("空"), Column("负数")],
            rows=[[day, 3, None, -2]],
        )
    )
    assert sheet["A2"].value.date() == day
    assert sheet["B2"].value == 3
    assert sheet["C2"].value is None
    assert sheet["D2"].value == -2


def test_a_long_sheet_title_is_cut_to_excels_limit():
    sheet = _open(xlsx_bytes(sheet_title="名" * 40 + "/?", title=None, columns=[Column("a")], rows=[]))
    assert sheet.title == "名" * 31


def test_csv_has_a_bom_and_quotes_formula_like_cells():
    data = csv_bytes(columns=COLUMNS, rows=_rows())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["姓名", "住址", "备注", "年龄"]
    assert [row[0] for row in rows[1:]] == ["'" + v for v in HOSTILE]
    assert [row[1] for row in rows[1:]] == [f"'{v}路1号" for v in HOSTILE]
    assert all(row[3] == "40" for row in rows[1:])
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_csv_numbers_stay_numbers():
    data = csv_bytes(columns=[Column("差额")], rows=[[-5], [2.5], ["-5"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [["-5"], ["2.5"], ["'-5"]]


def test_a_download_names_the_file_in_chinese_with_an_ascii_fallback():
    response = download_response(
        b"x", filename="南桥 疫苗接种随访-20261203.xlsx", content_type=XLSX_CONTENT_TYPE
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "南桥 疫苗接种随访-20261203.xlsx"
    assert disposition.isascii()
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "no-store" in response["Cache-Control"]
    assert response.content == b"x"


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("南桥 疫苗接种随访-20261203.xlsx", "20261203.xlsx"),
        ("错误报告.csv", "export.csv"),
        ('a"b\r\nc.xlsx', "a_b_c.xlsx"),
        ("hazards-310120.01.xlsx", "hazards-310120.01.xlsx"),
    ],
)
def test_the_ascii_fallback_is_plain(name, fallback):
    assert ascii_filename(name) == fallback


def test_csv_content_type_names_utf8():
    assert "utf-8" in CSV_CONTENT_TYPE
