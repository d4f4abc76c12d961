"""The audit log as a table in Chinese, for the page's export (xlsx or csv) and the monthly archive."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.utils import timezone

from linli.audit.labels import describe
from linli.audit.models import AuditEvent
from linli.core.spreadsheet import Column, csv_bytes, xlsx_bytes

COLUMNS = [
    Column("编号", 10),
    Column("时间", 20),
    Column("操作人"),
    Column("动作"),
    Column("动作代码"),
    Column("对象类型"),
    Column("对象编号"),
    Column("单位"),
    Column("单位路径"),
    Column("事由"),
    Column("客户端地址"),
    Column("详情", 40),
    Column("摘要", 20),
]


def unit_names(unit_paths: Iterable[str]) -> dict[str, str]:
    from linli.org.models import Unit

    wanted = {p for p in unit_paths if p}
    return dict(Unit.objects.filter(path__in=wanted).values_list("path", "name")) if wanted else {}


def _rows(events: Iterable[AuditEvent]) -> Iterator[Sequence[object]]:
    names: dict[str, str] = {}
    for event in events:
        if event.unit_path and event.unit_path not in names:
            names.update(unit_names([event.unit_path]) or {event.unit_path: ""})
        text = describe(event)
        yield [
            event.pk,
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            text["actor"],
            text["action"],
            event.action,
            text["object_type"],
            event.object_id,
            names.get(event.unit_path, ""),
            event.unit_path,
            event.reason,
            event.client_address,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
            event.hash,
        ]


def _stream(events: Any) -> Iterable[AuditEvent]:
    if hasattr(events, "select_related"):
        return events.select_related("actor").iterator(chunk_size=2000)
    return events


def audit_csv_bytes(events: Any) -> bytes:
    return csv_bytes(columns=COLUMNS, rows=_rows(_stream(events)))


def audit_xlsx_bytes(events: Any, *, title: str) -> bytes:
    return xlsx_bytes(sheet_title="审计日志", title=title, columns=COLUMNS, rows=_rows(_stream(events)))
