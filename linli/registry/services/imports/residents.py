"""Importing residents (实有人口) from the spreadsheets offices keep (R4).

The file is streamed in chunks: each chunk is validated, then its valid rows are written inside one open
transaction. At the end the transaction commits only if the caller may have what was written: on a dry
run nothing is written at all; when some rows are invalid and the caller did not choose to write the valid
ones, everything is rolled back. A crash or a kill before the commit leaves nothing behind either.

Memory stays bounded by the chunk size, plus one small integer per valid ID number (to find a number that
appears twice in the file) and the row errors.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from linli.core import paths
from linli.core.limits import text_limit, too_long
from linli.lib.idcard import IdNumberError, check_digit, parse_id_number
from linli.lib.phone import PhoneError, normalise_phone, phone_last4
from linli.org.models import Unit
from linli.registry.models import Resident
from linli.registry.services.imports.report import ImportFileError, ImportReport, RowError
from linli.registry.services.imports.scope import audit_import, audit_refused, import_roots
from linli.registry.services.imports.tables import map_columns, read_table
from linli.registry.services.imports.writers import ResidentRow, resident_writer

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
_TYPE = Resident.ResidenceType
RESIDENCE_TYPES: dict[str, str] = {
    "户籍": _TYPE.REGISTERED.value,
    "户籍人口": _TYPE.REGISTERED.value,
    "常住": _TYPE.PERMANENT.value,
    "常住人口": _TYPE.PERMANENT.value,
    "流动": _TYPE.FLOATING.value,
    "流动人口": _TYPE.FLOATING.value,
    "来沪": _TYPE.FLOATING.value,
    "临时": _TYPE.TEMPORARY.value,
    "临时居住": _TYPE.TEMPORARY.value,
}

# The one answer for a number held outside the importer's scope: it says no more than that the number is
# taken, and changes nothing (moving a resident between units is its own audited service).
OUT_OF_SCOPE_MESSAGE = "该身份证号已登记在您的管辖范围之外，请联系其所在单位办理迁移"
# ID numbers looked up at once when checking a chunk's scope (well under either database's bound).
_SCOPE_LOOKUP = 10_000

_LABELS = {key: label for key, (label, _synonyms) in RESIDENT_COLUMNS.items()}
# The free-text columns and the limits their table columns declare; a longer value is the row's error.
_LIMITS = {
    "name": text_limit(Resident, "name"),
    "address": text_limit(Resident, "reported_address"),
    "household_number": text_limit(Resident, "household_number"),
    "relation_to_head": text_limit(Resident, "relation_to_head"),
}
# The normal form of a mobile number, which normalise_phone returns unchanged.
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Whitespace other than a plain space (a line break typed into a cell, a tab, a full-width space) becomes a
# space; other control characters are dropped. Stored text then never holds a tab, a line break or a NUL,
# which neither the ledgers nor PostgreSQL's COPY would take. Private-use characters (rare names) stay.
_TEXT_TABLE: dict[int, str | None] = {
    **dict.fromkeys((*range(32), 127, *range(128, 160))),
    **{c: " " for c in range(0x3001) if chr(c).isspace()},
}


def _clean_text(text: str) -> str:
    return text.translate(_TEXT_TABLE).strip()


class _IdNumbers:
    """parse_id_number over a stream of rows, with a fast path for numbers already in normal form.

    The rules of GB 11643 check independent parts of a number: the province (digits 1–2), the birth date
    (digits 7–14) and the check digit. A number of 18 ASCII digits whose province and birth date
    parse_id_number has already accepted in this import, and whose check digit is right, is therefore
    valid; every other number goes through parse_id_number itself, which says precisely what is wrong.
    The rules stay in linli.lib.idcard; this only remembers its answers.
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self.provinces: set[str] = set()
        self.birth_dates: dict[str, str] = {}  # "19900101" → "1990-01-01"

    def parse(self, raw: str) -> tuple[str, int, str, str]:
        """(number, key, sex, birth date as ISO text); `key` identifies the number compactly."""
        if len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[:2] in self.provinces:
            birth = self.birth_dates.get(raw[6:14])
            if birth is not None and raw[17] == check_digit(raw[:17]):
                # The order code's last digit is odd for a man, even for a woman.
                return raw, int(raw[:17]), "M" if raw[16] in "13579" else "F", birth
        parsed = parse_id_number(raw, today=self.today)
        number = parsed.number
        birth = parsed.birth_date.isoformat()
        self.provinces.add(number[:2])
        self.birth_dates[number[6:14]] = birth
        return number, int(number[:17]), parsed.sex, birth


def _validated_chunks(
    table: Iterator[list[str]],
    columns: dict[str, int],
    report: ImportReport,
    *,
    limit: int,
    seen: dict[int, int],
) -> Iterator[list[ResidentRow]]:
    """The valid rows of `table` in chunks, in file order; errors and the row count go to `report`.

    This is the per-row hot path of a million-row import: values are picked by position, the common
    spellings (a plain 18-digit ID number, an 11-digit mobile) take a fast path, and anything else goes
    through the validators of linli.lib, which own the rules and the messages.
    """
    keys = ("name", "id_number", "phone", "residence_type", "address", "household_number", "relation_to_head")
    # A column the file lacks is read from an empty cell appended to each row.
    missing = any(key not in columns for key in keys)
    pick = itemgetter(*(columns.get(key, -1) for key in keys))
    width = max(columns.values()) + 1
    ids = _IdNumbers(timezone.localdate())
    types = RESIDENCE_TYPES
    errors = report.errors
    # `seen`: ID number (as an int, see _IdNumbers.parse) → the row it was first seen in.
    chunk_rows = settings.LINLI_IMPORT_CHUNK_ROWS
    chunk: list[ResidentRow] = []
    total = 0
    for row_number, row in enumerate(table, start=2):
        if not any(row):
            continue
        total += 1
        if total > limit:
            raise ImportFileError(f"文件超过 {limit} 行的上限，请拆分后导入")
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        if missing:
            row.append("")
        name, raw_id, raw_phone, raw_type, address, household, relation = pick(row)

        row_errors: list[RowError] = []
        if not name.isprintable():
            name = _clean_text(name)
        if not name:
            row_errors.append(RowError(row_number, _LABELS["name"], "姓名不能为空"))
        if not address.isprintable():
            address = _clean_text(address)
        if not household.isprintable():
            household = _clean_text(household)
        if not relation.isprintable():
            relation = _clean_text(relation)
        for column, text in (
            ("name", name),
            ("address", address),
            ("household_number", household),
            ("relation_to_head", relation),
        ):
            if len(text) > _LIMITS[column]:
                row_errors.append(RowError(row_number, _LABELS[column], too_long(_LIMITS[column])))
        try:
            number, key, sex, birth = ids.parse(raw_id)
        except IdNumberError as exc:
            row_errors.append(RowError(row_number, _LABELS["id_number"], exc.message))
        phone = last4 = ""
        if len(raw_phone) == 11 and raw_phone.isascii() and _PLAIN_MOBILE.fullmatch(raw_phone):
            phone, last4 = raw_phone, raw_phone[7:]
        elif raw_phone:
            try:
                phone = normalise_phone(raw_phone).number
                last4 = phone_last4(phone)
            except PhoneError as exc:
                row_errors.append(RowError(row_number, _LABELS["phone"], exc.message))
        residence_type = types.get(raw_type or "户籍", "")
        if not residence_type:
            message = f"人口类型“{raw_type}”无法识别，应为 户籍/常住/流动/临时"
            row_errors.append(RowError(row_number, _LABELS["residence_type"], message))
        if row_errors:
            errors.extend(row_errors)
            continue
        first = seen.setdefault(key, row_number)
        if first != row_number:
            errors.append(RowError(row_number, _LABELS["id_number"], f"与第 {first} 行的身份证号重复"))
            continue

        chunk.append(
            (
                name, number, sex, birth, phone, last4, residence_type,
                address, household, relation, 1 if phone and address else 0,
            )
        )  # fmt: skip
        if len(chunk) >= chunk_rows:
            report.total_rows = total
            yield chunk
            chunk = []
    report.total_rows = total
    if chunk:
        yield chunk


class _RollBack(Exception):
    """Raised inside the import's transaction to undo what was written."""


def _in_scope_chunks(
    chunks: Iterator[list[ResidentRow]],
    report: ImportReport,
    *,
    roots: list[str],
    seen: dict[int, int],
    holders: Counter[str],
) -> Iterator[list[ResidentRow]]:
    """The rows of each chunk whose ID number is new or held inside `roots`; the others become row errors.

    One query per chunk (per _SCOPE_LOOKUP numbers) finds the numbers held elsewhere; `holders` counts
    them by the holder's unit, for that unit's audit event.
    """
    inside = paths.any_subtree_q("unit_path", roots)
    label = _LABELS["id_number"]
    for chunk in chunks:
        outside: dict[str, str] = {}
        for start in range(0, len(chunk), _SCOPE_LOOKUP):
            numbers = [row[1] for row in chunk[start : start + _SCOPE_LOOKUP]]
            held = Resident.objects.filter(id_number__in=numbers).exclude(inside)
            outside.update(
                (number, path) for number, path in held.values_list("id_number", "unit_path") if number
            )
        if not outside:
            yield chunk
            continue
        for number, unit_path in outside.items():
            report.errors.append(RowError(seen[int(number[:17])], label, OUT_OF_SCOPE_MESSAGE))
            holders[unit_path] += 1
        yield [row for row in chunk if row[1] not in outside]


def import_residents(
    *,
    actor: Any,
    path: Path,
    unit: Unit,
    dry_run: bool = False,
    write_valid_rows: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every row of the file; then write all of it, the valid rows, or nothing.

    Residents are placed in `unit`, which must be a grid. Rows are keyed by ID number, so importing the
    same file twice creates nothing the second time. A number already held by a resident outside the
    importer's scope (the grid, within the user's scope) is that row's error: the holder is not changed.
    The write is one transaction, audited inside it; refused rows are audited to their holders' units.
    `progress`, if given, is called with the number of rows read so far, once a chunk.
    """
    from linli.accounts.models import Capability
    from linli.accounts.selectors.scope import require_capability

    require_capability(actor, Capability.MANAGE_REGISTRY, unit.path)
    if unit.kind != Unit.Kind.GRID:
        raise ImportFileError("请选择网格作为导入目标（人员落在该网格）")
    roots = import_roots(actor=actor, unit=unit)
    table = read_table(path)
    header = next(table, None)
    if header is None or not any(header):
        raise ImportFileError("工作表是空的")
    columns = map_columns(header, RESIDENT_COLUMNS, RESIDENT_REQUIRED)
    report = ImportReport()
    seen: dict[int, int] = {}
    holders: Counter[str] = Counter()
    chunks = _in_scope_chunks(
        _validated_chunks(table, columns, report, limit=settings.LINLI_IMPORT_MAX_ROWS, seen=seen),
        report,
        roots=roots,
        seen=seen,
        holders=holders,
    )
    try:
        if dry_run:
            for _chunk in chunks:
                if progress:
                    progress(report.total_rows)
            _require_rows(report)
            return report
        return _write_all(
            chunks, report, actor=actor, unit=unit, write_valid_rows=write_valid_rows, progress=progress
        )
    finally:
        report.errors.sort(key=attrgetter("row"))
        if holders:
            audit_refused(
                actor=actor,
                action="resident.import_refused",
                object_type="registry.resident",
                unit=unit,
                holders=holders,
            )


def _write_all(
    chunks: Iterator[list[ResidentRow]],
    report: ImportReport,
    *,
    actor: Any,
    unit: Unit,
    write_valid_rows: bool,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    try:
        with transaction.atomic():
            _write(chunks, report, unit=unit, write_valid_rows=write_valid_rows, progress=progress)
            if report.errors and not write_valid_rows:
                raise _RollBack
            # Every row lands in the target grid: that grid's auditors see the one event.
            counts = {
                "rows": report.total_rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected_rows,
            }
            audit_import(
                actor=actor,
                action="resident.import",
                object_type="registry.resident",
                unit=unit,
                touched={unit.path: counts},
            )
    except _RollBack:
        report.created = report.updated = report.unchanged = 0
        return report
    report.written = True
    return report


def _write(
    chunks: Iterator[list[ResidentRow]],
    report: ImportReport,
    *,
    unit: Unit,
    write_valid_rows: bool,
    progress: Callable[[int], None] | None,
) -> None:
    writer = resident_writer(unit_path=unit.path, now=timezone.now())
    try:
        for chunk in chunks:
            # Once a row is wrong and only a clean file may be written, the rest is validated, not written.
            if chunk and (write_valid_rows or not report.errors):
                writer.write(chunk)
            if progress:
                progress(report.total_rows)
        _require_rows(report)
        report.created, report.updated, report.unchanged = writer.finish()
    finally:
        writer.close()


def _require_rows(report: ImportReport) -> None:
    if report.total_rows == 0:
        raise ImportFileError("工作表只有表头，没有数据行")
