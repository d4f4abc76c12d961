"""Bulk intake of the spreadsheets offices already keep (R4): read → validate every row → report → write.

A file is read as a stream of rows (xlsx/xls through calamine, csv in UTF-8 or GBK), each row is
validated on its own, and the writer runs only over valid rows, in one transaction, keyed so that a
re-import updates instead of duplicating. Nothing is written when the caller asks for a dry run, or
when some rows are invalid and the caller did not choose to write the valid ones.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from linli.audit.services import audit_record
from linli.core.errors import ServiceError
from linli.lib.idcard import IdNumberError, parse_id_number
from linli.lib.phone import PhoneError, normalise_phone, phone_last4
from linli.org.models import Unit
from linli.registry.models import Resident

# Column → (the header shown in reports, the headers offices actually write).
RESIDENT_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("姓名", "名字", "居民姓名", "人员姓名")),
    "id_number": (
        "公民身份号码",
        ("公民身份号码", "身份证号", "身份证号码", "身份证", "证件号码", "身份证件号码"),
    ),
    "phone": ("联系电话", ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式")),
    "residence_type": ("人口类型", ("人口类型", "居住类型", "人员类型", "户籍类型")),
    "address": ("现住址", ("现住址", "住址", "居住地址", "现居住地址", "地址", "家庭住址")),
    "household_number": ("户号", ("户号",)),
    "relation_to_head": ("与户主关系", ("与户主关系", "与户主的关系")),
}
RESIDENT_REQUIRED = ("name", "id_number")
RESIDENCE_TYPES = {
    "户籍": Resident.ResidenceType.REGISTERED,
    "户籍人口": Resident.ResidenceType.REGISTERED,
    "常住": Resident.ResidenceType.PERMANENT,
    "常住人口": Resident.ResidenceType.PERMANENT,
    "流动": Resident.ResidenceType.FLOATING,
    "流动人口": Resident.ResidenceType.FLOATING,
    "来沪": Resident.ResidenceType.FLOATING,
    "临时": Resident.ResidenceType.TEMPORARY,
    "临时居住": Resident.ResidenceType.TEMPORARY,
}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# An xlsx whose parts inflate beyond this, or by more than this ratio, is refused unread.
MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_INFLATION_RATIO = 200


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        state = "已写入" if self.written else "未写入"
        return (
            f"共 {self.total_rows} 行：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，"
            f"有误 {self.rejected_rows}（{state}）"
        )


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


def _header_map(header: list[str]) -> dict[str, int]:
    """Column name → index, from the headers as offices write them."""
    by_text = {text.replace(" ", "").replace("\u3000", ""): i for i, text in enumerate(header) if text}
    found: dict[str, int] = {}
    for key, (_label, synonyms) in RESIDENT_COLUMNS.items():
        for synonym in synonyms:
            if synonym in by_text:
                found[key] = by_text[synonym]
                break
    missing = [RESIDENT_COLUMNS[k][0] for k in RESIDENT_REQUIRED if k not in found]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（第 1 行应为表头）")
    return found


@dataclass(frozen=True)
class ResidentRecord:
    row: int
    name: str
    id_number: str
    sex: str
    birth_date: Any
    phone: str
    residence_type: str
    address: str
    household_number: str
    relation_to_head: str


def validate_resident_row(
    row_number: int, cells: dict[str, str]
) -> tuple[ResidentRecord | None, list[RowError]]:
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(row_number, RESIDENT_COLUMNS[column][0], message))

    name = cells.get("name", "")
    if not name:
        error("name", "姓名不能为空")
    elif len(name) > 50:
        error("name", "姓名过长（最多 50 字）")
    parsed = None
    try:
        parsed = parse_id_number(cells.get("id_number", ""))
    except IdNumberError as exc:
        error("id_number", exc.message)
    phone = ""
    if cells.get("phone"):
        try:
            phone = normalise_phone(cells["phone"]).number
        except PhoneError as exc:
            error("phone", exc.message)
    raw_type = cells.get("residence_type", "") or "户籍"
    residence_type = RESIDENCE_TYPES.get(raw_type)
    if residence_type is None:
        error("residence_type", f"人口类型“{raw_type}”无法识别，应为 户籍/常住/流动/临时")
    if errors or parsed is None or residence_type is None:
        return None, errors
    return (
        ResidentRecord(
            row=row_number,
            name=name,
            id_number=parsed.number,
            sex=parsed.sex,
            birth_date=parsed.birth_date,
            phone=phone,
            residence_type=str(residence_type),
            address=cells.get("address", "")[:255],
            household_number=cells.get("household_number", "")[:30],
            relation_to_head=cells.get("relation_to_head", "")[:20],
        ),
        [],
    )


_WRITTEN_FIELDS = (
    "name", "sex", "birth_date", "phone", "phone_last4", "residence_type", "unit_path",
    "reported_address", "household_number", "relation_to_head", "is_complete",
)  # fmt: skip


def _resident_values(record: ResidentRecord, unit_path: str) -> dict[str, Any]:
    return {
        "name": record.name,
        "sex": record.sex,
        "birth_date": record.birth_date,
        "phone": record.phone,
        "phone_last4": phone_last4(record.phone) if record.phone else "",
        "residence_type": record.residence_type,
        "unit_path": unit_path,
        "reported_address": record.address,
        "household_number": record.household_number,
        "relation_to_head": record.relation_to_head,
        "is_complete": bool(record.phone and record.address),
    }


def _write_residents(records: list[ResidentRecord], unit_path: str, report: ImportReport) -> None:
    batch = 2000
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        existing = {
            r.id_number: r for r in Resident.objects.filter(id_number__in=[c.id_number for c in chunk])
        }
        new, changed = [], []
        for record in chunk:
            values = _resident_values(record, unit_path)
            current = existing.get(record.id_number)
            if current is None:
                new.append(Resident(id_number=record.id_number, document_kind="id_card", **values))
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                changed.append(current)
            else:
                report.unchanged += 1
        Resident.objects.bulk_create(new)
        Resident.objects.bulk_update(changed, _WRITTEN_FIELDS)
        report.created += len(new)
        report.updated += len(changed)


def import_residents(
    *, actor: Any, path: Path, unit: Unit, dry_run: bool = False, write_valid_rows: bool = False
) -> ImportReport:
    """Validate every row of the file; then write all of it, the valid rows, or nothing.

    Residents are placed in `unit`, which must be a grid. Rows are keyed by ID number, so importing the
    same file twice creates nothing the second time. The write is one transaction.
    """
    from linli.accounts.roles import Capability
    from linli.accounts.selectors import require_capability

    require_capability(actor, Capability.MANAGE_UNITS, unit.path)
    if unit.kind != Unit.Kind.GRID:
        raise ImportFileError("请选择网格作为导入目标（人员落在该网格）")
    rows = read_table(path)
    header = next(rows, None)
    if header is None or not any(header):
        raise ImportFileError("工作表是空的")
    columns = _header_map(header)
    report = ImportReport()
    records: list[ResidentRecord] = []
    seen: dict[str, int] = {}
    limit = settings.LINLI_IMPORT_MAX_ROWS
    for row_number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        report.total_rows += 1
        if report.total_rows > limit:
            raise ImportFileError(f"文件超过 {limit} 行的上限，请拆分后导入")
        cells = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
        record, errors = validate_resident_row(row_number, cells)
        if record is not None and record.id_number in seen:
            errors = [RowError(row_number, "公民身份号码", f"与第 {seen[record.id_number]} 行的身份证号重复")]
            record = None
        report.errors.extend(errors)
        if record is not None:
            seen[record.id_number] = row_number
            records.append(record)
    if report.total_rows == 0:
        raise ImportFileError("工作表只有表头，没有数据行")
    if dry_run or (report.errors and not write_valid_rows):
        return report
    with transaction.atomic():
        _write_residents(records, unit.path, report)
        audit_record(
            actor=actor,
            action="resident.import",
            object_type="registry.resident",
            unit_path=unit.path,
            detail={"rows": report.total_rows, "created": report.created, "updated": report.updated},
        )
    report.written = True
    return report


def report_rows(report: ImportReport) -> Iterator[list[str]]:
    """The error report as table rows (行号, 列, 问题), for a csv or xlsx download."""
    yield ["行号", "列", "问题"]
    for error in report.errors:
        yield [str(error.row), error.column, error.message]


def report_csv(report: ImportReport) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(report_rows(report))
    return buffer.getvalue()
