"""Writing validated resident rows at database speed, inside the caller's transaction.

Rows are keyed by ID number: a new number inserts, a known one updates the row only where a value differs,
so a re-import of the same file changes nothing (and touches no `updated_at`). The caller drops rows whose
number is held outside its scope before they get here; the upsert still updates only a holder inside the
target's subtree, so a holder that appears meanwhile (another transaction) is left alone and counted as
unchanged. The caller holds the
transaction (`transaction.atomic`); a writer only ever adds to it, so a rollback or a killed process
leaves no partial import behind.

- SQLite: `executemany` of one `INSERT … ON CONFLICT(id_number) DO UPDATE … WHERE <a column differs>`.
  The transaction holds the write lock from BEGIN IMMEDIATE (settings), so counting the table's rows
  before and after tells created from updated exactly.
- PostgreSQL: each chunk is sent with `COPY` into a temporary table, then moved over with
  `INSERT … SELECT … ON CONFLICT (id_number) DO UPDATE … WHERE (…) IS DISTINCT FROM (…)`;
  `RETURNING xmax = 0` tells an inserted row from an updated one. The upsert runs in a helper thread,
  which waits on the server with the GIL released, so that the next chunk is validated meanwhile.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from django.db import connection

from linli.registry.models import Resident

# A valid resident row as the validator hands it over, in this order; is_complete is 1 or 0.
ROW_FIELDS = (
    "name", "id_number", "sex", "birth_date", "phone", "phone_last4", "residence_type",
    "reported_address", "household_number", "relation_to_head", "is_complete",
)  # fmt: skip
ResidentRow = tuple[str, str, str, str, str, str, str, str, str, str, int]
# What a re-import may change; the ID number is the key, the rest is the row's own history.
_UPDATED_FIELDS = (*(f for f in ROW_FIELDS if f != "id_number"), "unit_path")
# Filled by the writer for every row: the grid imported into, and the time of the import.
_WRITER_FIELDS = ("unit_path", "created_at", "updated_at")
_CONSTANT_FIELDS = {
    "document_kind": Resident.DocumentKind.ID_CARD.value,
    "other_document_number": "",
    "status": Resident.Status.PRESENT.value,
}


class ResidentWriter(Protocol):
    def write(self, rows: list[ResidentRow]) -> None:
        """Add these rows to the open transaction (or queue them to be added)."""

    def finish(self) -> tuple[int, int, int]:
        """Wait until every row is written; (created, updated, unchanged)."""

    def close(self) -> None:
        """Stop any helper thread; safe to call more than once, and after an error."""


def resident_writer(*, unit_path: str, now: datetime) -> ResidentWriter:
    """A writer for the default database, to be used inside `transaction.atomic()`."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return _PostgresResidentWriter(unit_path=unit_path, now=now)
    return _SqliteResidentWriter(unit_path=unit_path, now=now)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _within_target(table: str, incoming: str) -> str:
    """SQL: the existing row lies in the subtree of the unit imported into (see linli.core.paths)."""
    current, target = f"{table}.{_quote('unit_path')}", f"{incoming}.{_quote('unit_path')}"
    return f"({current} = {target} OR ({current} > ({target} || '.') AND {current} < ({target} || '/')))"


def _literal(value: str) -> str:
    # Only for the constants above, which are code, never input.
    return "'" + value.replace("'", "''") + "'"


class _SqliteResidentWriter:
    def __init__(self, *, unit_path: str, now: datetime) -> None:
        table = _quote(Resident._meta.db_table)
        columns = [*ROW_FIELDS, *_WRITER_FIELDS, *_CONSTANT_FIELDS]
        values = ["?"] * (len(ROW_FIELDS) + len(_WRITER_FIELDS)) + [
            _literal(v) for v in _CONSTANT_FIELDS.values()
        ]
        assignments = [f"{_quote(f)} = excluded.{_quote(f)}" for f in (*_UPDATED_FIELDS, "updated_at")]
        # IS NOT: a comparison that holds for NULLs too (birth_date may be NULL in rows written elsewhere).
        differs = [f"{table}.{_quote(f)} IS NOT excluded.{_quote(f)}" for f in _UPDATED_FIELDS]
        self._sql = (
            f"INSERT INTO {table} ({', '.join(_quote(c) for c in columns)}) VALUES ({', '.join(values)}) "  # noqa: S608
            f"ON CONFLICT({_quote('id_number')}) DO UPDATE SET {', '.join(assignments)} "
            f"WHERE ({' OR '.join(differs)}) AND {_within_target(table, 'excluded')}"
        )
        self._count_sql = f"SELECT count(*) FROM {table}"  # noqa: S608
        stamp = connection.ops.adapt_datetimefield_value(now)
        self._tail = (unit_path, stamp, stamp)
        self._cursor = connection.connection.cursor()
        self._before = self._count()
        self._rows = 0
        self._changes = 0

    def _count(self) -> int:
        return int(self._cursor.execute(self._count_sql).fetchone()[0])

    def write(self, rows: list[ResidentRow]) -> None:
        tail = self._tail
        self._cursor.executemany(self._sql, [row + tail for row in rows])
        # For an upsert, SQLite counts an inserted row and an updated one, not one the WHERE skipped.
        self._changes += self._cursor.rowcount
        self._rows += len(rows)

    def finish(self) -> tuple[int, int, int]:
        created = self._count() - self._before
        return created, self._changes - created, self._rows - self._changes

    def close(self) -> None:
        self._cursor.close()


class _PostgresResidentWriter:
    _TEMP = "linli_import_resident"

    def __init__(self, *, unit_path: str, now: datetime) -> None:
        table = _quote(Resident._meta.db_table)
        temp = _quote(self._TEMP)
        types = {"birth_date": "date", "is_complete": "boolean"}
        temp_columns = ", ".join(f"{_quote(f)} {types.get(f, 'text')}" for f in ROW_FIELDS)
        columns = [*ROW_FIELDS, *_WRITER_FIELDS, *_CONSTANT_FIELDS]
        selected = [_quote(f) for f in ROW_FIELDS] + ["%s"] * (len(_WRITER_FIELDS) + len(_CONSTANT_FIELDS))
        assignments = [f"{_quote(f)} = EXCLUDED.{_quote(f)}" for f in (*_UPDATED_FIELDS, "updated_at")]
        current = ", ".join(f"r.{_quote(f)}" for f in _UPDATED_FIELDS)
        incoming = ", ".join(f"EXCLUDED.{_quote(f)}" for f in _UPDATED_FIELDS)
        self._setup = [
            f"DROP TABLE IF EXISTS pg_temp.{temp}",
            f"CREATE TEMPORARY TABLE {temp} ({temp_columns}) ON COMMIT DROP",
        ]
        self._copy_sql = f"COPY {temp} ({', '.join(_quote(f) for f in ROW_FIELDS)}) FROM STDIN"
        # xmax is 0 on a row version this statement inserted, and the transaction's id on one it updated.
        self._upsert_sql = (
            f"WITH written AS (INSERT INTO {table} AS r ({', '.join(_quote(c) for c in columns)}) "  # noqa: S608
            f"SELECT {', '.join(selected)} FROM {temp} "
            f"ON CONFLICT ({_quote('id_number')}) DO UPDATE SET {', '.join(assignments)} "
            f"WHERE ({current}) IS DISTINCT FROM ({incoming}) AND {_within_target('r', 'EXCLUDED')} "
            "RETURNING xmax = 0 AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FROM written"
        )
        self._truncate_sql = f"TRUNCATE {temp}"
        self._drop_sql = f"DROP TABLE {temp}"
        self._params = (unit_path, now, now, *_CONSTANT_FIELDS.values())
        # COPY's text format: tab-separated, one row a line. The validator leaves no tab, line break or
        # NUL in a value; a backslash is doubled below. is_complete goes over as 1/0, which boolean reads.
        self._line = "\t".join(["%s"] * len(ROW_FIELDS))
        self._connection: Any = connection.connection
        with self._connection.cursor() as cursor:
            for statement in self._setup:
                cursor.execute(statement)
        self._rows = 0
        self._created = 0
        self._changed = 0
        # One helper thread runs each chunk's upsert while this thread validates the next chunk.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linli-import")
        self._pending: Future[tuple[int, int]] | None = None

    def write(self, rows: list[ResidentRow]) -> None:
        line = self._line
        text = "\n".join([line % row for row in rows]) + "\n"
        if "\\" in text:
            text = text.replace("\\", "\\\\")
        self._wait_for_upsert()
        # COPY runs here, not in the helper: it sends many small buffers, and a thread that needs the
        # GIL back after each of them would wait for this one (the validator) every time.
        with self._connection.cursor() as cursor:
            cursor.execute(self._truncate_sql)
            with cursor.copy(self._copy_sql) as copy:
                copy.write(text.encode())
        self._pending = self._executor.submit(self._upsert)
        self._rows += len(rows)

    def _upsert(self) -> tuple[int, int]:
        with self._connection.cursor() as cursor:
            cursor.execute(self._upsert_sql, self._params)
            inserted, changed = cursor.fetchone()
        return int(inserted), int(changed)

    def _wait_for_upsert(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            inserted, changed = pending.result()
            self._created += inserted
            self._changed += changed

    def finish(self) -> tuple[int, int, int]:
        self._wait_for_upsert()
        with self._connection.cursor() as cursor:
            cursor.execute(self._drop_sql)
        return self._created, self._changed - self._created, self._rows - self._changed

    def close(self) -> None:
        # After an error elsewhere: let a running upsert end (the connection is shared), then stop.
        self._executor.shutdown(wait=True, cancel_futures=True)
