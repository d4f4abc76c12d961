"""The child process that reads an uploaded spreadsheet: `python -I sandbox.py FILE OUT LIMITS`.

An upload is hostile until read. This process is the only one that parses it: it lowers its own
resource limits first (address space, CPU seconds, output size, open files, no core file), checks an
xlsx's zip and XML before python-calamine sees it, and writes the rows as JSON lines to OUT:

    [["姓名", "公民身份号码", …], […], …]   one line per batch of rows (lists of str)
    {"error": "中文原因"}                     the file is refused; nothing follows
    {"end": ROWS}                            every row was written

Whatever happens to it (a Rust panic, an abort on a huge allocation, a kill by a limit), the server
process that started it (linli.registry.services.imports.tables) only ever sees these lines or an exit status.
It imports the standard library only (python_calamine when a workbook is read), never Django, and is
run as a script in isolated mode, so that starting it costs a few tens of milliseconds.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import resource
import signal
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PR_SET_PDEATHSIG = 1
# Files that are plainly not tables, whatever they are named.
BINARY_MAGICS = (
    b"\x89PNG", b"%PDF", b"\x7fELF", b"MZ", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"7z\xbc\xaf",
    b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"II*\x00", b"MM\x00*", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",
)  # fmt: skip
# An encrypted xlsx is a CFB container holding these streams (names in UTF-16LE).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

# Zip limits of a workbook: no real 户籍 sheet comes near them.
MAX_ZIP_ENTRIES = 1000
MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_INFLATION_RATIO = 200
# A sheet whose last row lies this far beyond its rows (a lone cell at A1000000) would have the reader
# produce a million empty rows: refused, with a message that says what to delete.
SPARSE_ROWS_FACTOR = 2
SPARSE_ROWS_SLACK = 10_000
# Excel's own bounds of a cell reference.
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384
# Rows written to OUT per line, and characters after which a batch is written early.
BATCH_ROWS = 1000
BATCH_CHARS = 1 << 20

# What zipfile and zlib raise for a wrong CRC, a size that lies, a truncated or encrypted entry.
_BROKEN_ENTRY = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_ROW_NUMBER = re.compile(r"[1-9][0-9]{0,6}")

MSG_CORRUPT_ZIP = "文件已损坏，无法作为 xlsx 打开"
MSG_BOMB = "文件解压后异常庞大（疑似压缩炸弹），已拒绝导入"
MSG_NOT_WORKBOOK = "文件不是 Excel 工作簿（xlsx），请另存为 xlsx 或 csv 后再导入"
MSG_ENCRYPTED = "文件已加密（设有打开密码），请在 Excel 中取消密码后再导入"
MSG_DTD = "文件中含有 XML 文档类型声明（DTD/实体），已拒绝导入"
MSG_FORMULA = "工作表中含有公式：公式的值可能过时或被篡改，请把公式转为数值（选择性粘贴为数值）后再导入"
MSG_NOT_TABLE = "文件不是文本表格（csv），也不是 Excel 工作簿"
MSG_ENCODING = "无法识别文件编码，请以 UTF-8 或 GBK 保存 csv"
MSG_UNREADABLE = "无法读取该电子表格，文件可能已损坏或格式不受支持"
MSG_MEMORY = "解析文件时超出内存上限（文件可能被构造成异常庞大），已拒绝导入"


class Refused(Exception):
    """The file is refused; `message` (Chinese) tells the user why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def limit_self(limits: dict[str, int]) -> None:
    """Lower this process's limits before the file is opened; they cannot be raised again.

    Also ask Linux to kill this process when its parent dies (a killed `linli import` or worker), so
    that no parse outlives the import it was for.
    """
    try:
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    cpu = max(1, int(limits["cpu_seconds"]))
    for name, value in (
        (resource.RLIMIT_AS, int(limits["memory_bytes"])),
        (resource.RLIMIT_FSIZE, int(limits["output_bytes"])),
        (resource.RLIMIT_NOFILE, 32),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(name, (value, value))
    # SIGXCPU at the soft limit ends the process; SIGKILL at the hard one if it was caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))


# Workbooks (xlsx): the zip, then every XML part, before calamine reads anything.


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def parse_cell_ref(ref: str) -> tuple[int, int]:
    """(row, column), both from 1, of a reference such as "B12"; Refused if it is not one Excel allows."""
    match = _CELL_REF.fullmatch(ref)
    if match is None:
        raise Refused(f"工作表中有无效的单元格引用“{ref[:20]}”，文件可能被篡改，已拒绝导入")
    row, column = int(match[2]), column_number(match[1])
    if row > EXCEL_MAX_ROW or column > EXCEL_MAX_COLUMN:
        raise Refused(f"工作表中有超出 Excel 范围的单元格引用“{ref[:20]}”，已拒绝导入")
    return row, column


def _local(name: str) -> str:
    # Names come as "namespace-uri local" (namespace processing on), so `x:f` and `s:f` are both "f".
    return name.rpartition(" ")[2]


class _PartChecker:
    """A streaming pass over one XML part with expat: no DTD, no entities, bounded text.

    In a worksheet it finds formulas, checks each cell and row reference, and measures the sheet's
    declared and actual extent; in the shared strings it counts and measures the strings.
    """

    def __init__(self, name: str, limits: dict[str, int]) -> None:
        self.name = name
        self.limits = limits
        self.max_chars = limits["max_cell_chars"]
        self.root = ""
        self.depth = 0
        self.text_chars = 0
        self.in_text = False
        self.strings = 0  # <si> in a shared-strings part
        self.max_string_index = -1
        self.row = 0
        self.rows = 0  # <row> elements seen
        self.column = 0
        self.last_row = 0
        self.last_column = 0
        self.cell_type = ""
        self.value_text = ""
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse_dtd
        self.parser.EntityDeclHandler = self._refuse_dtd
        self.parser.UnparsedEntityDeclHandler = self._refuse_dtd
        self.parser.ExternalEntityRefHandler = self._refuse_dtd
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True

    def _refuse_dtd(self, *args: object) -> int:
        raise Refused(MSG_DTD)

    def feed(self, stream: IO[bytes]) -> None:
        try:
            while chunk := stream.read(1 << 20):
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except expat.ExpatError:
            raise Refused(f"工作簿中的 {self.name[:60]} 不是有效的 XML，文件可能已损坏或被篡改") from None

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        self.depth += 1
        if self.depth == 1:
            self.root = local
            return
        if self.root == "worksheet":
            self._sheet_start(local, attrs)
        elif self.root == "sst" and local == "si" and self.depth == 2:
            self.strings += 1
            if self.strings > self.limits["max_cells"]:
                raise Refused("工作簿中的文本单元格过多，请拆分后导入")
            self.text_chars = 0
        elif self.root == "sst" and local == "t":
            self.in_text = True

    def _end(self, name: str) -> None:
        local = _local(name)
        self.depth -= 1
        if local in ("t", "v"):
            self.in_text = False
            if self.root == "worksheet" and local == "v" and self.cell_type == "s":
                self._check_string_index()
            if self.root == "worksheet":
                self.text_chars = 0

    def _text(self, data: str) -> None:
        if not self.in_text:
            return
        self.text_chars += len(data)
        if self.text_chars > self.max_chars:
            raise Refused(f"工作表中有单元格超过 {self.max_chars} 个字符的上限，已拒绝导入")
        if self.cell_type == "s":
            self.value_text += data

    def _sheet_start(self, local: str, attrs: dict[str, str]) -> None:
        limits = self.limits
        if local == "f":
            raise Refused(MSG_FORMULA)
        if local == "c":
            ref = attrs.get("r")
            if ref is None:
                self.column += 1
                if self.column > EXCEL_MAX_COLUMN:
                    raise Refused("工作表中一行的单元格超出 Excel 范围，已拒绝导入")
            else:
                row, self.column = parse_cell_ref(ref)
                if row != self.row:
                    raise Refused(f"单元格“{ref[:20]}”不在它所在的行中，文件可能被篡改，已拒绝导入")
            if self.column > limits["max_columns"]:
                raise Refused(f"文件超过 {limits['max_columns']} 列的上限，请删除多余的列后导入")
            self.last_column = max(self.last_column, self.column)
            self.cell_type = attrs.get("t", "n")
            self.value_text = ""
        elif local == "row":
            number = attrs.get("r")
            if number is None:
                self.row += 1
            elif _ROW_NUMBER.fullmatch(number) and int(number) <= EXCEL_MAX_ROW:
                self.row = int(number)
            else:
                raise Refused(f"工作表中有无效的行号“{number[:20]}”，文件可能被篡改，已拒绝导入")
            if self.row > limits["max_rows"] + 1:
                raise Refused(f"文件超过 {limits['max_rows']} 行的上限，请拆分后导入")
            self.last_row = max(self.last_row, self.row)
            self.rows += 1
            if self.last_row * self.last_column > limits["max_cells"]:
                raise Refused("工作表的范围过大，请拆分后导入，或另存为 csv 后导入")
            self.column = 0
        elif local in ("v", "t"):
            self.in_text = True
            self.text_chars = 0
        elif local == "dimension":
            self._check_dimension(attrs.get("ref", ""))

    def _check_dimension(self, ref: str) -> None:
        first, _colon, last = ref.partition(":")
        first_row, first_column = parse_cell_ref(first)
        last_row, last_column = parse_cell_ref(last) if last else (first_row, first_column)
        rows = last_row - first_row + 1
        columns = last_column - first_column + 1
        if rows < 1 or columns < 1:
            raise Refused(f"工作表声明的范围“{ref[:30]}”无效，文件可能被篡改，已拒绝导入")
        limits = self.limits
        if last_row > limits["max_rows"] + 1:
            raise Refused(f"工作表声明的范围（{ref[:30]}）超过 {limits['max_rows']} 行的上限，已拒绝导入")
        if last_column > limits["max_columns"]:
            raise Refused(f"工作表声明的范围（{ref[:30]}）超过 {limits['max_columns']} 列的上限，已拒绝导入")
        if last_row * last_column > limits["max_cells"]:
            raise Refused(f"工作表声明的范围（{ref[:30]}）过大，请拆分后导入")

    def _check_string_index(self) -> None:
        text = self.value_text
        if not text.isdigit() or len(text) > 9:
            raise Refused("工作表中有无效的共享字符串编号，文件可能被篡改，已拒绝导入")
        self.max_string_index = max(self.max_string_index, int(text))
        self.value_text = ""


def check_workbook(path: Path, limits: dict[str, int]) -> None:
    """Refuse a zip or its XML that could hurt or mislead the reader; every part is read once here."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(MSG_CORRUPT_ZIP) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise Refused("工作簿中的部件过多，文件可能被篡改，已拒绝导入")
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise Refused("工作簿中有重名的部件，文件可能被篡改，已拒绝导入")
        if any(info.flag_bits & 0x1 for info in infos):
            raise Refused(MSG_ENCRYPTED)
        if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in infos):
            raise Refused(MSG_CORRUPT_ZIP)
        inflated = sum(info.file_size for info in infos)
        deflated = sum(info.compress_size for info in infos) or 1
        if inflated > MAX_INFLATED_BYTES or inflated / deflated > MAX_INFLATION_RATIO:
            raise Refused(MSG_BOMB)
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise Refused(MSG_NOT_WORKBOOK)
        strings = 0
        largest_index = -1
        sheets = 0
        sparse_row = 0
        for info in infos:
            if info.is_dir():
                continue
            try:
                with archive.open(info) as stream:
                    if info.filename.endswith((".xml", ".rels")) or info.filename == "[Content_Types].xml":
                        checker = _PartChecker(info.filename, limits)
                        checker.feed(stream)
                        if checker.root == "worksheet":
                            sheets += 1
                            if checker.last_row * checker.last_column > limits["max_cells"]:
                                raise Refused("工作表的范围过大，请拆分后导入，或另存为 csv 后导入")
                            if checker.last_row > SPARSE_ROWS_FACTOR * checker.rows + SPARSE_ROWS_SLACK:
                                sparse_row = sparse_row or checker.last_row
                            largest_index = max(largest_index, checker.max_string_index)
                        elif info.filename == "xl/sharedStrings.xml":
                            strings = checker.strings
                    else:
                        # Images and the like: read only to check their CRC and true size.
                        while stream.read(1 << 20):
                            pass
            except Refused:
                raise
            except _BROKEN_ENTRY:
                # A wrong CRC, a size that lies, a truncated or encrypted entry.
                raise Refused(MSG_CORRUPT_ZIP) from None
        if not sheets:
            raise Refused("工作簿中没有工作表")
        if sparse_row:
            raise Refused(f"工作表第 {sparse_row} 行远离其余数据（中间是大量空行），请删除多余的空行后导入")
        if largest_index >= strings:
            raise Refused("工作表中有无效的共享字符串编号，文件可能被篡改，已拒绝导入")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store long digit strings typed as numbers as floats; keep the digits.
        return str(int(value))
    return str(value).strip()


def workbook_rows(path: Path, limits: dict[str, int]) -> Iterator[list[str]]:
    """The first sheet's rows through python-calamine (xlsx after check_workbook, or a legacy xls)."""
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise Refused("工作簿中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height > limits["max_rows"] + 1 or sheet.height * sheet.width > limits["max_cells"]:
            raise Refused(f"文件超过 {limits['max_rows']} 行的上限，请拆分后导入")
        rows = sheet.iter_rows()
    except Refused:
        raise
    except PasswordError:
        raise Refused(MSG_ENCRYPTED) from None
    except Exception:
        raise Refused(MSG_UNREADABLE) from None
    while True:
        try:
            row = next(rows, None)
        except Exception:
            raise Refused(MSG_UNREADABLE) from None
        if row is None:
            return
        yield [_cell(v) for v in row]


# Text tables (csv).


def csv_rows(path: Path, limits: dict[str, int]) -> Iterator[list[str]]:
    with path.open("rb") as raw:
        sample = raw.read(64 * 1024)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text"; the BOM says which byte order
    else:
        encoding = "utf-8-sig"
        try:
            # Not final: a multi-byte character cut at the end of the sample is still UTF-8.
            codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
        except UnicodeDecodeError:
            encoding = "gb18030"
        with path.open("rb") as raw:
            while chunk := raw.read(1 << 22):
                if b"\x00" in chunk:
                    raise Refused(MSG_NOT_TABLE)
    csv.field_size_limit(limits["max_cell_chars"])
    try:
        with path.open(encoding=encoding, newline="") as handle:
            for row in csv.reader(handle):
                yield [cell.strip() for cell in row]
    except UnicodeError:
        raise Refused(MSG_ENCODING) from None
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise Refused(f"文件中有单元格超过 {limits['max_cell_chars']} 个字符的上限，已拒绝导入") from None
        if "NUL" in str(exc):
            raise Refused(MSG_NOT_TABLE) from None
        raise Refused(f"csv 格式错误：{str(exc)[:100]}") from None


def table_rows(path: Path, limits: dict[str, int]) -> Iterator[list[str]]:
    """Every row of the file, bounded by the limits; whatever the file's name says, its bytes decide."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise Refused("文件是空的")
    if head.startswith(ZIP_MAGIC):
        check_workbook(path, limits)
        rows = workbook_rows(path, limits)
    elif head.startswith(CFB_MAGIC):
        data = path.read_bytes()
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise Refused(MSG_ENCRYPTED)
        del data
        rows = workbook_rows(path, limits)
    elif head.startswith(BINARY_MAGICS) or head.startswith(b"PK"):
        raise Refused(MSG_NOT_TABLE)
    else:
        rows = csv_rows(path, limits)
    return rows


def _batches(rows: Iterator[list[str]], limits: dict[str, int]) -> Iterator[list[list[str]]]:
    """The rows in batches, each row within the limits (this loop is the child's per-row cost)."""
    max_rows, max_columns, max_chars = limits["max_rows"] + 1, limits["max_columns"], limits["max_cell_chars"]
    count = 0
    batch: list[list[str]] = []
    batch_chars = 0
    for number, row in enumerate(rows, start=1):
        while row and not row[-1]:
            row.pop()
        if row:
            count += 1
            if count > max_rows:
                raise Refused(f"文件超过 {limits['max_rows']} 行的上限，请拆分后导入")
            if len(row) > max_columns:
                raise Refused(f"文件超过 {max_columns} 列的上限，请删除多余的列后导入")
            chars = sum(map(len, row))
            if chars > max_chars and max(map(len, row)) > max_chars:
                raise Refused(f"第 {number} 行有单元格超过 {max_chars} 个字符的上限，已拒绝导入")
            batch_chars += chars
        batch.append(row)
        # The header goes alone and at once: a file without the needed columns fails fast.
        if number == 1 or len(batch) >= BATCH_ROWS or batch_chars >= BATCH_CHARS:
            yield batch
            batch, batch_chars = [], 0
    if batch:
        yield batch


# The process.


def run(path: Path, out_path: Path, limits: dict[str, int]) -> int:
    """Write the rows of `path` to `out_path` as JSON lines (module docstring); the exit status."""
    with out_path.open("w", encoding="utf-8") as handle:

        def finish(item: dict[str, object]) -> None:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
            handle.flush()

        rows = 0
        try:
            for batch in _batches(table_rows(path, limits), limits):
                handle.write(json.dumps(batch, ensure_ascii=False, separators=(",", ":")) + "\n")
                handle.flush()
                rows += len(batch)
            finish({"end": rows})
            return 0
        except Refused as exc:
            finish({"error": exc.message})
            return 0
        except MemoryError:
            finish({"error": MSG_MEMORY})
            return 3
        except BaseException:
            finish({"error": MSG_UNREADABLE})
            return 4


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        sys.stderr.write("usage: sandbox.py FILE OUT LIMITS-JSON\n")
        return 2
    limits = json.loads(argv[3])
    out_path = Path(argv[2])
    limit_self(limits)
    return run(Path(argv[1]), out_path, limits)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
