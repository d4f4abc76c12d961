"""Reading the spreadsheets offices keep: the rows of an xlsx/xls (calamine) or a csv (UTF-8 or GBK).

Whatever the file's name says, its first bytes decide how it is read. Hostile files (zip bombs, files
that only pretend to be workbooks) are refused before any row is read. A csv is streamed row by row;
calamine holds one sheet in memory while its rows are turned into Python values.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from linli.registry.imports.report import ImportFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# An xlsx whose parts inflate beyond this, or by more than this ratio, is refused unread.
MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_INFLATION_RATIO = 200


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store long digit strings typed as numbers as floats; keep the digits.
        return str(int(value))
    return str(value).strip()


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
            deflated = sum(info.compress_size for info in archive.infolist()) or 1
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError("文件已损坏，无法作为 xlsx 打开") from None
    if inflated > MAX_INFLATED_BYTES or inflated / deflated > MAX_INFLATION_RATIO:
        raise ImportFileError("文件解压后异常庞大（疑似压缩炸弹），已拒绝导入")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportFileError("文件不是 Excel 工作簿（xlsx），请另存为 xlsx 或 csv 后再导入")
    sheet = _first_formula_sheet(
        path, sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    )
    if sheet:
        raise ImportFileError(
            "工作表中含有公式：公式的值可能过时或被篡改，请把公式转为数值（选择性粘贴为数值）后再导入"
        )


_FORMULA_TAGS = (b"<f>", b"<f ", b"<x:f>", b"<x:f ")


def _first_formula_sheet(path: Path, sheets: list[str]) -> str:
    """The first worksheet part that holds a formula cell, read as a stream (sheets can be large)."""
    with zipfile.ZipFile(path) as archive:
        for name in sheets:
            tail = b""
            with archive.open(name) as stream:
                while chunk := stream.read(1 << 20):
                    window = tail + chunk
                    if any(tag in window for tag in _FORMULA_TAGS):
                        return name
                    tail = window[-5:]
    return ""


def _spreadsheet_rows(path: Path) -> Iterator[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise ImportFileError("工作簿中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
        for row in sheet.iter_rows():
            yield [_cell(v) for v in row]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("无法读取该电子表格，文件可能已损坏或格式不受支持") from None


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open("rb") as raw:
        sample = raw.read(64 * 1024)
    encoding = "utf-8-sig"
    try:
        sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is still UTF-8.
        if exc.start < len(sample) - 4:
            encoding = "gb18030"
    if b"\x00" in sample:
        raise ImportFileError("文件不是文本表格（csv），也不是 Excel 工作簿")
    try:
        with path.open(encoding=encoding, newline="") as handle:
            for row in csv.reader(handle):
                yield [cell.strip() for cell in row]
    except UnicodeDecodeError:
        raise ImportFileError("无法识别文件编码，请以 UTF-8 或 GBK 保存 csv") from None
    except csv.Error as exc:
        raise ImportFileError(f"csv 格式错误：{exc}") from None


def read_table(path: Path) -> Iterator[list[str]]:
    """The rows of the first sheet of an xlsx/xls, or of a csv, whatever the file's name says."""
    if not path.exists() or not path.is_file():
        raise ImportFileError("找不到文件")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ImportFileError("文件是空的")
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path)
        return _spreadsheet_rows(path)
    if head.startswith(_OLE_MAGIC):
        return _spreadsheet_rows(path)
    return _csv_rows(path)


def map_columns(
    header: Sequence[str], columns: Mapping[str, tuple[str, tuple[str, ...]]], required: Sequence[str]
) -> dict[str, int]:
    """Column key → index, from the headers as offices write them (`columns`: key → (label, synonyms))."""
    by_text = {text.replace(" ", "").replace("\u3000", ""): i for i, text in enumerate(header) if text}
    found: dict[str, int] = {}
    for key, (_label, synonyms) in columns.items():
        for synonym in synonyms:
            if synonym in by_text:
                found[key] = by_text[synonym]
                break
    missing = [columns[k][0] for k in required if k not in found]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（第 1 行应为表头）")
    return found
