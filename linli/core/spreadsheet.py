"""The one way out for tables: every xlsx and csv export goes through here.

Spreadsheet programs run a cell that begins with `=`, `+`, `-` or `@` (and, after a leading tab or
carriage return, still do) as a formula: a resident named `=HYPERLINK("http://x","y")` becomes a live
link in the clerk's Excel, `=cmd|' /C calc'!A0` a DDE call. In xlsx every cell has a type, so a string
is written as a string (`write_string`, never `write`, which guesses) and the text stays exactly what
was typed. A csv has no types: there a single quote `'` is put in front of such a cell, which Excel
and WPS show as text; the quote is part of the csv cell, never stored in the database.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# What a spreadsheet program reads as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Widths in Excel's character units; a CJK character counts as two.
MIN_WIDTH = 4
MAX_WIDTH = 60
# Above this total width a sheet is printed in landscape (A4 portrait holds about 90 units at 100 %).
PORTRAIT_MAX_WIDTH = 90
# Excel's limits: 31 characters in a sheet name, 32,767 in a cell.
SHEET_NAME_MAX = 31
CELL_TEXT_MAX = 32767


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export: its header and, if fixed, its width in character units."""

    title: str
    width: int | None = None


class Text(str):
    """A string that must reach the reader as text, never as a formula (see `safe_text`)."""

    __slots__ = ()


def safe_text(value: object) -> object:
    """The value, marked so that it is written as text if it would otherwise start a formula.

    A `str` beginning with `=`, `+`, `-`, `@`, tab or CR comes back as a `Text` (a `str` with the same
    characters: nothing is prefixed or stripped); anything else comes back unchanged. Both writers in
    this module apply it to every cell, so callers need it only when writing cells themselves.
    """
    if isinstance(value, str) and not isinstance(value, Text) and value.startswith(FORMULA_TRIGGERS):
        return Text(value)
    return value


def display_width(text: str) -> int:
    """Width of the longest line of `text` in character units: wide (CJK) characters count as two."""
    widest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        widest = max(widest, width)
    return widest


def _cell_text(value: object) -> str:
    """How a value reads in a cell, for widths and for csv."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{_naive_local(value):%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _naive_local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _sheet_name(title: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'") or "Sheet1"
    return name[:SHEET_NAME_MAX]


def xlsx_bytes(
    *,
    sheet_title: str,
    title: str | None,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
) -> bytes:
    """One sheet: an optional title merged across the top, a bold header row, then `rows`.

    Streams the rows (constant memory); every string is written as a string, never a formula or a
    link. The header stays in view when scrolling and is repeated on every printed page; the sheet
    prints on A4, fit to the page width, landscape when wide, with page numbers in the footer.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(_sheet_name(sheet_title))
    title_format = workbook.add_format(
        {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
    )
    header_format = workbook.add_format(
        {"bold": True, "border": 1, "bg_color": "#EEEEEE", "text_wrap": True, "valign": "vcenter"}
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"})

    ncols = max(len(columns), 1)
    widths = [display_width(column.title) for column in columns]
    row_index = 0
    if title:
        if ncols > 1:
            sheet.merge_range(0, 0, 0, ncols - 1, "", title_format)
        sheet.write_string(0, 0, title, title_format)
        sheet.set_row(0, 24)
        row_index = 1
    header_row = row_index
    for col, column in enumerate(columns):
        sheet.write_string(header_row, col, column.title, header_format)
    row_index += 1

    for values in rows:
        for col, value in enumerate(values):
            if col < len(widths):
                widths[col] = max(widths[col], display_width(_cell_text(value)))
            _write_cell(sheet, row_index, col, value, date_format, datetime_format)
        row_index += 1

    for col, column in enumerate(columns):
        width = column.width if column.width is not None else min(max(widths[col] + 2, MIN_WIDTH), MAX_WIDTH)
        widths[col] = width
        sheet.set_column(col, col, width)

    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_paper(9)  # A4
    if sum(widths) > PORTRAIT_MAX_WIDTH:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    workbook.close()
    return buffer.getvalue()


def _write_cell(
    sheet: Any, row: int, col: int, value: object, date_format: Any, datetime_format: Any
) -> None:
    if value is None:
        return
    if isinstance(value, str):
        # Every string, formula-like or not, is a string cell: the value as typed, never evaluated.
        sheet.write_string(row, col, value[:CELL_TEXT_MAX])
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(row, col, _naive_local(value), datetime_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, date_format)
    else:
        sheet.write_string(row, col, str(value)[:CELL_TEXT_MAX])


def _csv_cell(value: object) -> str:
    text = _cell_text(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return text  # a negative number is a number, not a formula
    # A csv cell has no type: a leading quote is how Excel and WPS are told "this is text".
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_bytes(*, columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> bytes:
    """A header row and `rows` as csv in UTF-8 with a byte-order mark (so Excel reads the Chinese).

    A cell that would start a formula gets a single quote `'` in front: csv has no cell types, so
    that quote is the only guard a spreadsheet program honours. The data itself is never changed.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(column.title) for column in columns])
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def ascii_filename(filename: str) -> str:
    """A plain ASCII stand-in for `filename`, for clients that ignore `filename*`."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    safe_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    safe_extension = re.sub(r"[^A-Za-z0-9]+", "", extension)
    if not re.search(r"[A-Za-z0-9]", safe_stem):
        safe_stem = "export"
    return f"{safe_stem}.{safe_extension}" if safe_extension else safe_stem


def content_disposition(filename: str) -> str:
    """`attachment` with a plain ASCII name for old clients and the real one as RFC 6266 `filename*`."""
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{encoded}"


def download_response(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """`data` as a download named `filename` (Chinese allowed: RFC 6266 `filename*`), never cached."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
