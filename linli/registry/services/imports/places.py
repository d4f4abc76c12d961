"""Importing standard addresses, housing and businesses (一标三实 beyond the population, R1, R3, R4).

These files are small next to population lists (thousands of rows, not millions), so one generic runner
validates every row, then writes through the ORM in one transaction: all, the valid rows, or nothing,
as the caller chose, exactly like the resident import.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import require_capability
from linli.core import paths
from linli.core.limits import text_limit, too_long
from linli.lib.address import parse_address
from linli.lib.credit_code import CreditCodeError, normalise_credit_code
from linli.lib.phone import PhoneError, normalise_phone
from linli.org.models import Unit
from linli.registry.models import Address, Business, Housing
from linli.registry.services.addresses import (
    DISTRICT_PREFIXES,
    AddressIndex,
    address_code,
    address_display,
    address_too_long,
    station_path_of,
)
from linli.registry.services.imports.report import ImportFileError, ImportReport, RowError
from linli.registry.services.imports.scope import audit_import, audit_refused, import_roots, is_within_any
from linli.registry.services.imports.tables import map_columns, read_table

Record = TypeVar("Record")
Columns = dict[str, tuple[str, tuple[str, ...]]]
# Unit path → counts ("created", "updated", "unchanged", "moved_out") of the rows an import wrote there.
Touched = dict[str, Counter[str]]
# A record's key held outside the importer's scope: (record's index, column, message, holder's unit path).
Refusal = tuple[int, str, str, str]

# Keys held by a row outside the importer's scope: the row's error, and the holder is left as it is.
ADDRESS_OUTSIDE = "该地址已登记在您的管辖范围之外，请联系其所在单位办理"
HOUSING_OUTSIDE = "该房屋已登记在您的管辖范围之外，请联系其所在单位办理"
BUSINESS_OUTSIDE = "该统一社会信用代码已登记在您的管辖范围之外，请联系其所在单位办理迁移"


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message


@dataclass
class _Context:
    """What validating a row may need: the target unit, its grids, its standard addresses, the scope."""

    unit: Unit
    roots: list[str]
    grids_by_code: dict[str, Unit]
    grids_by_name: dict[str, list[Unit]]
    index: AddressIndex

    def grid_for(self, cells: dict[str, str], label: str) -> Unit:
        if self.unit.kind == Unit.Kind.GRID:
            return self.unit
        value = cells.get("grid", "")
        if not value:
            raise _RowInvalid(label, "导入目标不是网格时，每行须填写所属网格（编码或名称）")
        grid = self.grids_by_code.get(value)
        if grid is not None:
            return grid
        named = self.grids_by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise _RowInvalid(label, f"网格名称“{value}”不唯一，请填写网格编码")
        raise _RowInvalid(label, f"“{value}”不是导入目标下的网格")


@dataclass(frozen=True)
class _Spec(Generic[Record]):
    kind: str
    columns: Columns
    required: tuple[str, ...]
    validate: Callable[[_Context, dict[str, str]], Record]
    key: Callable[[Record], Any]
    # One query over all records: those whose key a row outside the scope (`inside` is its Q) holds.
    outside: Callable[[list[Record], Q], list[Refusal]]
    write: Callable[[list[Record], ImportReport, Q, Touched], None]


def _phone(value: str, label: str) -> str:
    if not value:
        return ""
    try:
        return normalise_phone(value).number
    except PhoneError as exc:
        raise _RowInvalid(label, exc.message) from None


def _text(cells: dict[str, str], column: str, labels: dict[str, str], model: type[Model]) -> str:
    """A free-text cell, refused (not cut short) when longer than its table column allows."""
    value = cells.get(column, "")
    limit = text_limit(model, column)
    if len(value) > limit:
        raise _RowInvalid(labels[column], too_long(limit))
    return value


def _choice(value: str, choices: dict[str, str], label: str, default: str | None = None) -> str:
    if not value and default is not None:
        return default
    if value in choices:
        return choices[value]
    raise _RowInvalid(label, f"“{value}”无法识别，应为 {'/'.join(dict.fromkeys(choices))}")


def _matched_address(context: _Context, text: str, label: str) -> Address:
    match = context.index.match(text)
    if match.address_id is None:
        raise _RowInvalid(label, "地址未能对应到标准地址，请先导入或登记标准地址")
    address = Address.objects.get(pk=match.address_id)
    if not is_within_any(address.unit_path, context.roots):
        raise _RowInvalid(label, "该地址不在导入目标的范围内")
    return address


# --- standard addresses ------------------------------------------------------------------------------

ADDRESS_COLUMNS: Columns = {
    "address": ("标准地址", ("标准地址", "地址", "门牌地址", "详细地址")),
    "grid": ("所属网格", ("所属网格", "网格", "网格编码", "网格名称")),
}


@dataclass(frozen=True)
class _AddressRecord:
    row: int
    grid: Unit
    station_path: str
    key: str
    parts: Any


def _validate_address(context: _Context, cells: dict[str, str]) -> _AddressRecord:
    label = ADDRESS_COLUMNS["address"][0]
    text = cells.get("address", "")
    if not text:
        raise _RowInvalid(label, "地址不能为空")
    grid = context.grid_for(cells, ADDRESS_COLUMNS["grid"][0])
    parts = parse_address(text, strip_prefixes=DISTRICT_PREFIXES.get(grid.path.split(".")[0], ()))
    if not parts.understood:
        raise _RowInvalid(label, f"地址中有无法识别的部分：“{parts.rest}”")
    if not parts.road or not (parts.number or parts.lane or parts.building):
        raise _RowInvalid(label, "标准地址至少要有路/村名和门牌号")
    if (refusal := address_too_long(parts)) is not None:
        raise _RowInvalid(label, refusal)
    return _AddressRecord(0, grid, station_path_of(grid.path), parts.key(), parts)


def _address_keys_q(records: list[_AddressRecord]) -> Q:
    # A superset (station × key), narrowed to exact pairs by the callers' dictionaries.
    return Q(station_path__in={r.station_path for r in records}, key__in=[r.key for r in records])


def _addresses_outside(records: list[_AddressRecord], inside: Q) -> list[Refusal]:
    held = {
        (station, key): unit_path
        for station, key, unit_path in Address.objects.filter(_address_keys_q(records))
        .exclude(inside)
        .values_list("station_path", "key", "unit_path")
    }
    label = ADDRESS_COLUMNS["address"][0]
    return [
        (i, label, ADDRESS_OUTSIDE, held[(r.station_path, r.key)])
        for i, r in enumerate(records)
        if (r.station_path, r.key) in held
    ]


def _write_addresses(
    records: list[_AddressRecord], report: ImportReport, inside: Q, touched: Touched
) -> None:
    # Only rows inside the scope are updated; a key taken outside meanwhile fails the insert (unique).
    existing = {(a.station_path, a.key): a for a in Address.objects.filter(_address_keys_q(records) & inside)}
    new, moved = [], []
    now = timezone.now()
    for r in records:
        current = existing.get((r.station_path, r.key))
        if current is None:
            p = r.parts
            new.append(
                Address(
                    code=address_code(r.station_path, r.key),
                    station_path=r.station_path,
                    key=r.key,
                    grid=r.grid,
                    unit_path=r.grid.path,
                    locality=p.road,
                    lane=p.lane,
                    number=p.number,
                    building=p.building,
                    unit_no=p.unit,
                    room=p.room,
                    full_text=address_display(p),
                )
            )
            touched[r.grid.path]["created"] += 1
        elif current.grid_id != r.grid.pk:
            touched[current.unit_path]["moved_out"] += 1
            touched[r.grid.path]["updated"] += 1
            current.grid, current.unit_path, current.updated_at = r.grid, r.grid.path, now
            moved.append(current)
        else:
            report.unchanged += 1
            touched[r.grid.path]["unchanged"] += 1
    Address.objects.bulk_create(new, batch_size=2000)
    Address.objects.bulk_update(moved, ["grid", "unit_path", "updated_at"], batch_size=2000)
    report.created += len(new)
    report.updated += len(moved)


# --- housing -----------------------------------------------------------------------------------------

HOUSING_USAGE = {
    "自住": Housing.Usage.OWNER_OCCUPIED.value,
    "出租": Housing.Usage.RENTED.value,
    "空置": Housing.Usage.VACANT.value,
    "闲置": Housing.Usage.VACANT.value,
    "群租": Housing.Usage.GROUP_RENTAL.value,
}
HOUSING_COLUMNS: Columns = {
    "address": ("房屋地址", ("房屋地址", "地址", "标准地址", "门牌地址")),
    "usage": ("使用情况", ("使用情况", "房屋用途", "居住情况", "房屋状态")),
    "owner_name": ("房主姓名", ("房主姓名", "房主", "产权人")),
    "owner_phone": ("房主电话", ("房主电话", "房主联系电话", "产权人电话")),
    "tenant_count": ("承租人数", ("承租人数", "租住人数")),
}


@dataclass(frozen=True)
class _HousingRecord:
    address: Address
    values: dict[str, Any]


def _validate_housing(context: _Context, cells: dict[str, str]) -> _HousingRecord:
    labels = {k: v[0] for k, v in HOUSING_COLUMNS.items()}
    if not cells.get("address"):
        raise _RowInvalid(labels["address"], "地址不能为空")
    address = _matched_address(context, cells["address"], labels["address"])
    usage = _choice(cells.get("usage", ""), HOUSING_USAGE, labels["usage"])
    tenants_text = cells.get("tenant_count", "")
    tenants = None
    if tenants_text:
        if not tenants_text.isdigit() or int(tenants_text) > 500:
            raise _RowInvalid(labels["tenant_count"], "承租人数应为 0–500 的整数")
        tenants = int(tenants_text)
    values = {
        "usage": usage,
        "owner_name": _text(cells, "owner_name", labels, Housing),
        "owner_phone": _phone(cells.get("owner_phone", ""), labels["owner_phone"]),
        "tenant_count": tenants,
        "unit_path": address.unit_path,
    }
    return _HousingRecord(address, values)


def _housing_outside(records: list[_HousingRecord], inside: Q) -> list[Refusal]:
    held = dict(
        Housing.objects.filter(address__in=[r.address for r in records])
        .exclude(inside)
        .values_list("address_id", "unit_path")
    )
    label = HOUSING_COLUMNS["address"][0]
    return [
        (i, label, HOUSING_OUTSIDE, held[r.address.pk]) for i, r in enumerate(records) if r.address.pk in held
    ]


def _write_housing(records: list[_HousingRecord], report: ImportReport, inside: Q, touched: Touched) -> None:
    existing = {
        h.address_id: h for h in Housing.objects.filter(Q(address__in=[r.address for r in records]) & inside)
    }
    new, changed = [], []
    now = timezone.now()
    for r in records:
        current = existing.get(r.address.pk)
        counts = touched[r.values["unit_path"]]
        if current is None:
            new.append(Housing(address=r.address, **r.values))
            counts["created"] += 1
        elif any(getattr(current, k) != v for k, v in r.values.items()):
            if current.unit_path != r.values["unit_path"]:
                touched[current.unit_path]["moved_out"] += 1
            for k, v in r.values.items():
                setattr(current, k, v)
            current.updated_at = now
            changed.append(current)
            counts["updated"] += 1
        else:
            report.unchanged += 1
            counts["unchanged"] += 1
    Housing.objects.bulk_create(new, batch_size=2000)
    Housing.objects.bulk_update(changed, [*HOUSING_COLUMNS.keys() - {"address"}, "unit_path", "updated_at"])
    report.created += len(new)
    report.updated += len(changed)


# --- businesses --------------------------------------------------------------------------------------

BUSINESS_KINDS = {
    "企业": Business.Kind.ENTERPRISE.value,
    "公司": Business.Kind.ENTERPRISE.value,
    "商铺": Business.Kind.SHOP.value,
    "个体": Business.Kind.SHOP.value,
    "个体工商户": Business.Kind.SHOP.value,
    "特种行业": Business.Kind.SPECIAL_TRADE.value,
    "特行": Business.Kind.SPECIAL_TRADE.value,
    "其他": Business.Kind.OTHER.value,
}
BUSINESS_COLUMNS: Columns = {
    "name": ("单位名称", ("单位名称", "名称", "企业名称", "商户名称", "店名")),
    "kind": ("单位类型", ("单位类型", "类型", "类别")),
    "credit_code": ("统一社会信用代码", ("统一社会信用代码", "信用代码", "社会信用代码")),
    "address": ("地址", ("地址", "经营地址", "注册地址", "标准地址")),
    "grid": ("所属网格", ("所属网格", "网格", "网格编码", "网格名称")),
    "contact_name": ("联系人", ("联系人", "负责人", "法定代表人")),
    "contact_phone": ("联系电话", ("联系电话", "电话", "手机")),
}


@dataclass(frozen=True)
class _BusinessRecord:
    credit_code: str | None
    name: str
    values: dict[str, Any]


def _validate_business(context: _Context, cells: dict[str, str]) -> _BusinessRecord:
    labels = {k: v[0] for k, v in BUSINESS_COLUMNS.items()}
    name = cells.get("name", "")
    if not name:
        raise _RowInvalid(labels["name"], "单位名称不能为空")
    name = _text(cells, "name", labels, Business)
    code = None
    if cells.get("credit_code"):
        try:
            code = normalise_credit_code(cells["credit_code"])
        except CreditCodeError as exc:
            raise _RowInvalid(labels["credit_code"], exc.message) from None
    address = None
    if cells.get("address"):
        address = _matched_address(context, cells["address"], labels["address"])
        unit_path = address.unit_path
    else:
        unit_path = context.grid_for(cells, labels["grid"]).path
    if not code and address is None and context.unit.kind != Unit.Kind.GRID and not cells.get("grid"):
        raise _RowInvalid(labels["address"], "没有信用代码的单位须填写地址或所属网格")
    values = {
        "kind": _choice(
            cells.get("kind", ""), BUSINESS_KINDS, labels["kind"], default=Business.Kind.SHOP.value
        ),
        "address": address,
        "unit_path": unit_path,
        "contact_name": _text(cells, "contact_name", labels, Business),
        "contact_phone": _phone(cells.get("contact_phone", ""), labels["contact_phone"]),
    }
    return _BusinessRecord(code, name, values)


def _business_key(record: _BusinessRecord) -> Any:
    # A business with a credit code is that code; a small shop without one is its name in its grid.
    return record.credit_code or (record.values["unit_path"], record.name)


def _businesses_outside(records: list[_BusinessRecord], inside: Q) -> list[Refusal]:
    # Only a credit code can be held elsewhere: a business without one is keyed by its grid and name.
    held = dict(
        Business.objects.filter(credit_code__in=[r.credit_code for r in records if r.credit_code])
        .exclude(inside)
        .values_list("credit_code", "unit_path")
    )
    label = BUSINESS_COLUMNS["credit_code"][0]
    return [
        (i, label, BUSINESS_OUTSIDE, held[r.credit_code])
        for i, r in enumerate(records)
        if r.credit_code and r.credit_code in held
    ]


def _write_businesses(
    records: list[_BusinessRecord], report: ImportReport, inside: Q, touched: Touched
) -> None:
    # Only rows inside the scope are updated; a code taken outside meanwhile fails the insert (unique).
    by_code = {
        b.credit_code: b
        for b in Business.objects.filter(
            Q(credit_code__in=[r.credit_code for r in records if r.credit_code]) & inside
        )
    }
    unit_paths = {r.values["unit_path"] for r in records if not r.credit_code}
    by_name = {
        (b.unit_path, b.name): b
        for b in Business.objects.filter(unit_path__in=unit_paths, credit_code__isnull=True)
    }
    new, changed = [], []
    now = timezone.now()
    for r in records:
        current = (
            by_code.get(r.credit_code) if r.credit_code else by_name.get((r.values["unit_path"], r.name))
        )
        values = {**r.values, "name": r.name}
        counts = touched[r.values["unit_path"]]
        if current is None:
            new.append(Business(credit_code=r.credit_code, **values))
            counts["created"] += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            if current.unit_path != r.values["unit_path"]:
                touched[current.unit_path]["moved_out"] += 1
            for k, v in values.items():
                setattr(current, k, v)
            current.updated_at = now
            changed.append(current)
            counts["updated"] += 1
        else:
            report.unchanged += 1
            counts["unchanged"] += 1
    Business.objects.bulk_create(new, batch_size=2000)
    fields = ["name", "kind", "address", "unit_path", "contact_name", "contact_phone", "updated_at"]
    Business.objects.bulk_update(changed, fields, batch_size=2000)
    report.created += len(new)
    report.updated += len(changed)


SPECS: dict[str, _Spec[Any]] = {
    "addresses": _Spec(
        "addresses",
        ADDRESS_COLUMNS,
        ("address",),
        _validate_address,
        lambda r: (r.station_path, r.key),
        _addresses_outside,
        _write_addresses,
    ),
    "housing": _Spec(
        "housing",
        HOUSING_COLUMNS,
        ("address", "usage"),
        _validate_housing,
        lambda r: r.address.pk,
        _housing_outside,
        _write_housing,
    ),
    "businesses": _Spec(
        "businesses",
        BUSINESS_COLUMNS,
        ("name",),
        _validate_business,
        _business_key,
        _businesses_outside,
        _write_businesses,
    ),
}


def _context(unit: Unit, roots: list[str]) -> _Context:
    grids = list(Unit.objects.filter(paths.any_subtree_q("path", roots), kind=Unit.Kind.GRID, is_active=True))
    by_name: dict[str, list[Unit]] = {}
    for grid in grids:
        parent_name = grid.parent.name if grid.parent else ""
        by_name.setdefault(f"{parent_name}{grid.name}", []).append(grid)
        by_name.setdefault(grid.name, []).append(grid)
    return _Context(unit, roots, {g.code: g for g in grids}, by_name, AddressIndex(unit.path))


def import_places(
    *, kind: str, actor: Any, path: Path, unit: Unit, dry_run: bool = False, write_valid_rows: bool = False
) -> ImportReport:
    """Import standard addresses, housing or businesses into `unit`'s subtree (see the resident import).

    A key (address, the housing of an address, a credit code) held by a row outside the importer's scope
    is that row's error; the holder is not changed, and its unit's auditors see a count of refused rows.
    """
    spec = SPECS[kind]
    require_capability(actor, Capability.MANAGE_REGISTRY, unit.path)
    if unit.kind == Unit.Kind.DEPARTMENT:
        raise ImportFileError("部门不是辖区单位，不能作为导入目标")
    if kind != "businesses" and unit.kind in (Unit.Kind.DISTRICT,):
        raise ImportFileError("请选择派出所（镇）、社区或网格作为导入目标")
    rows = read_table(path)
    header = next(rows, None)
    if header is None or not any(header):
        raise ImportFileError("工作表是空的")
    columns = map_columns(header, spec.columns, spec.required)
    roots = import_roots(actor=actor, unit=unit)
    context = _context(unit, roots)
    report = ImportReport()
    records: list[Any] = []
    record_rows: list[int] = []
    seen: dict[Any, int] = {}
    limit = settings.LINLI_IMPORT_MAX_ROWS
    for row_number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        report.total_rows += 1
        if report.total_rows > limit:
            raise ImportFileError(f"文件超过 {limit} 行的上限，请拆分后导入")
        cells = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        try:
            record = spec.validate(context, cells)
        except _RowInvalid as exc:
            report.errors.append(RowError(row_number, exc.column, exc.message))
            continue
        key = spec.key(record)
        if key in seen:
            first_label = next(iter(spec.columns.values()))[0]
            report.errors.append(RowError(row_number, first_label, f"与第 {seen[key]} 行重复"))
            continue
        seen[key] = row_number
        records.append(record)
        record_rows.append(row_number)
    if report.total_rows == 0:
        raise ImportFileError("工作表只有表头，没有数据行")
    inside = paths.any_subtree_q("unit_path", roots)
    refused = spec.outside(records, inside) if records else []
    if refused:
        for index, column, message, _holder in refused:
            report.errors.append(RowError(record_rows[index], column, message))
        report.errors.sort(key=lambda e: e.row)
        dropped = {index for index, *_rest in refused}
        records = [r for i, r in enumerate(records) if i not in dropped]
        audit_refused(
            actor=actor,
            action=f"{kind}.import_refused",
            object_type=f"registry.{kind}",
            unit=unit,
            holders=Counter(holder for *_rest, holder in refused),
        )
    if dry_run or (report.errors and not write_valid_rows):
        return report
    touched: Touched = defaultdict(Counter)
    with transaction.atomic():
        spec.write(records, report, inside, touched)
        if not touched:  # every row was refused: the target's auditors still see the attempt
            touched[unit.path]["rejected"] = report.rejected_rows
        # One event per unit the rows landed in (or left), so that each unit's auditors see it.
        audit_import(
            actor=actor,
            action=f"{kind}.import",
            object_type=f"registry.{kind}",
            unit=unit,
            touched={path: dict(counts) for path, counts in touched.items()},
        )
    report.written = True
    return report
