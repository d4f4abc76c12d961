"""Archiving one month of the audit log to files that can be checked later without the database.

`archive_month` writes, into DIR/audit-YYYY-MM/:
  events.jsonl   every event of the month, one JSON object a line, exactly as hashed (for verifying)
  events.csv     the same events in Chinese columns for reading (formula-guarded, see core.spreadsheet)
  anchors.json   count, first and last id, the prev_hash of the first event, the hash of the last one
                 and the sha256 of events.jsonl
The month is the contiguous id range from the first event at or after its start (Asia/Shanghai) to
the last event before the next month, so it is one unbroken stretch of the chain. Rows stay in the
database; removing them is a DBA procedure (docs/security.md, "Audit log").
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.audit.selectors.chain import HASHED_FIELDS, verify_rows

COLUMNS = ("id", *HASHED_FIELDS, "prev_hash", "hash")


def parse_month(text: str) -> tuple[datetime, datetime]:
    """ "2026-05" → the start of that month and of the next, in local time."""
    try:
        first = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise ValueError(f"月份格式应为 YYYY-MM，例如 2026-05，而不是 {text!r}") from None
    following = (first + timedelta(days=32)).replace(day=1)
    return timezone.make_aware(first), timezone.make_aware(following)


def _month_rows(start: datetime, end: datetime) -> list[dict[str, Any]]:
    first = AuditEvent.objects.filter(at__gte=start).order_by("id").values_list("id", flat=True).first()
    if first is None:
        return []
    after = AuditEvent.objects.filter(at__gte=end).order_by("id").values_list("id", flat=True).first()
    rows = AuditEvent.objects.filter(id__gte=first).order_by("id")
    if after is not None:
        rows = rows.filter(id__lt=after)
    return list(rows.values(*COLUMNS))


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "at": row["at"].isoformat()}


def archive_month(start: datetime, out: Path) -> tuple[Path, int]:
    """Write the month starting at `start` under `out`; the folder and the number of events."""
    from linli.audit.selectors.events import audit_csv_bytes

    _, end = parse_month(f"{start:%Y-%m}")
    rows = _month_rows(start, end)
    folder = out / f"audit-{start:%Y-%m}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(
        json.dumps(_json_row(row), ensure_ascii=False, sort_keys=True) + "\n" for row in rows
    ).encode()
    (folder / "events.jsonl").write_bytes(lines)
    events = AuditEvent.objects.filter(id__in=[row["id"] for row in rows]).order_by("id")
    (folder / "events.csv").write_bytes(audit_csv_bytes(events))
    anchors = {
        "month": f"{start:%Y-%m}",
        "count": len(rows),
        "first_id": rows[0]["id"] if rows else None,
        "last_id": rows[-1]["id"] if rows else None,
        "first_prev_hash": rows[0]["prev_hash"] if rows else None,
        "last_hash": rows[-1]["hash"] if rows else None,
        "events_sha256": hashlib.sha256(lines).hexdigest(),
        "written_at": timezone.now().isoformat(),
    }
    (folder / "anchors.json").write_text(json.dumps(anchors, ensure_ascii=False, indent=2) + "\n")
    return folder, len(rows)


def verify_archive(folder: Path) -> int:
    """Check an archive folder against its anchors; the number of events, or ValueError saying why."""
    anchors = json.loads((folder / "anchors.json").read_text())
    lines = (folder / "events.jsonl").read_bytes()
    if hashlib.sha256(lines).hexdigest() != anchors["events_sha256"]:
        raise ValueError("events.jsonl 与锚点中的摘要不符")
    rows = []
    for line in lines.decode().splitlines():
        row = json.loads(line)
        row["at"] = datetime.fromisoformat(row["at"])
        rows.append(row)
    if not rows:
        return 0
    report = verify_rows(rows, prev_hash=anchors["first_prev_hash"])
    if report.broken is not None:
        raise ValueError(f"编号 {report.broken.id}：{report.broken.reason}")
    if report.count != anchors["count"] or report.last_hash != anchors["last_hash"]:
        raise ValueError("事件条数或最后一条的摘要与锚点不符")
    return report.count
