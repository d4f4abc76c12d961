"""The hash chain over audit events: each event's `hash` is sha256 over a canonical serialisation of its
fields and the previous event's hash, so that changing, removing or reordering a stored event breaks
the chain at that point. `verify_chain` walks it in id order and names the first broken link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linli.audit.models import AuditEvent

# The fields a hash covers, in this order. The id is not among them (it is only known after the insert
# and rows are never updated); a removed row shows as the next row's prev_hash not matching.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "unit_path",
    "reason",
    "client_address",
    "detail",
)
GENESIS = ""


def _value(name: str, value: Any) -> Any:
    if name == "at":
        assert isinstance(value, datetime)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "detail":
        # As the database gives it back: tuples become lists, key order does not matter.
        return json.loads(json.dumps(value or {}))
    return value if value is not None else None


def canonical(fields: dict[str, Any], prev_hash: str) -> bytes:
    """The bytes an event's hash is taken over."""
    body = {name: _value(name, fields.get(name)) for name in HASHED_FIELDS}
    body["prev_hash"] = prev_hash
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def fields_of(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class BrokenLink:
    id: int
    at: datetime
    reason: str  # Chinese, for the operator


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken: BrokenLink | None
    last_id: int | None
    last_hash: str


def verify_rows(rows: Iterable[dict[str, Any]], *, prev_hash: str = GENESIS) -> ChainReport:
    """Walk rows (dicts with id, the hashed fields, prev_hash and hash) in id order."""
    count = 0
    last_id: int | None = None
    expected_prev = prev_hash
    for row in rows:
        count += 1
        if row["prev_hash"] != expected_prev:
            reason = "与前一条记录的摘要不符（前一条记录被删除、改动或插入了记录）"
            return ChainReport(count, BrokenLink(row["id"], row["at"], reason), last_id, expected_prev)
        if row["hash"] != event_hash(row, row["prev_hash"]):
            reason = "本条记录的内容与其摘要不符（记录被改动）"
            return ChainReport(count, BrokenLink(row["id"], row["at"], reason), last_id, expected_prev)
        expected_prev = row["hash"]
        last_id = row["id"]
    return ChainReport(count, None, last_id, expected_prev)


def verify_chain(*, after_id: int = 0, prev_hash: str = GENESIS, batch: int = 2000) -> ChainReport:
    """Verify the stored chain, reading it in id order in batches: all of it, or (after older months
    were archived and removed) the events after `after_id`, starting from that event's `prev_hash`."""
    from linli.audit.models import AuditEvent

    columns = ("id", *HASHED_FIELDS, "prev_hash", "hash")

    def rows() -> Iterable[dict[str, Any]]:
        after = after_id
        while True:
            chunk = list(AuditEvent.objects.filter(id__gt=after).order_by("id").values(*columns)[:batch])
            if not chunk:
                return
            yield from chunk
            after = chunk[-1]["id"]

    return verify_rows(rows(), prev_hash=prev_hash)
