"""Who may read which audit events, and the log as a table in Chinese, for the page's export (xlsx or
csv) and the monthly archive."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.models import AuditEvent
from linli.audit.selectors.labels import describe
from linli.core import paths
from linli.core.spreadsheet import Column, csv_bytes, xlsx_bytes


def audit_roots(*, user: User) -> list[str]:
    """The unit paths under which the user may read the audit log."""
    scope = scope_for(user)
    return [g.path for g in scope.grants if scope.can(Capability.VIEW_AUDIT, g.path)]


def audit_events_visible_to(*, user: User) -> QuerySet[AuditEvent]:
    """Events under the subtrees where the user holds a role that may read the audit log."""
    roots = audit_roots(user=user)
    if not roots:
        return AuditEvent.objects.none()
    condition: Q = paths.any_subtree_q("unit_path", roots)
    return AuditEvent.objects.filter(condition).order_by("-at", "-id")


def audit_events_for(
    *, user: User, unit_path: str = "", start: date | None = None, end: date | None = None
) -> QuerySet[AuditEvent]:
    """The user's visible events, narrowed to a unit's subtree and to the days start..end (inclusive,
    local time). A unit outside the user's audit scope narrows to nothing."""
    events = audit_events_visible_to(user=user)
    if unit_path:
        events = events.filter(paths.subtree_q("unit_path", unit_path))
    if start is not None:
        events = events.filter(at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end is not None:
        events = events.filter(
            at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
        )
    return events


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


def _stream(events: Iterable[AuditEvent]) -> Iterable[AuditEvent]:
    if isinstance(events, QuerySet):
        return events.select_related("actor").iterator(chunk_size=2000)
    return events


def audit_csv_bytes(events: Iterable[AuditEvent]) -> bytes:
    return csv_bytes(columns=COLUMNS, rows=_rows(_stream(events)))


def audit_xlsx_bytes(events: Iterable[AuditEvent], *, title: str) -> bytes:
    return xlsx_bytes(sheet_title="审计日志", title=title, columns=COLUMNS, rows=_rows(_stream(events)))
