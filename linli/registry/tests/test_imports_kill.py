"""A killed import leaves nothing behind: the whole write is one transaction (R4).

`linli import residents` runs in a process of its own against the run's scratch database (a SQLite file
under a temporary LINLI_VAR_DIR, or a new database on the PostgreSQL server of the run; see
linli/core/tests/scratch_db.py), in chunks of CHUNK rows so that a small file makes many writes.
Once rows are being written, the process gets SIGKILL: no cleanup, no rollback by Python. The database
must then hold no more residents and import audit events than before. pytest-django's test database is
not used: its audit table refuses the DELETE that a flush would need.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from linli.conftest import NQ_GRID
from linli.core.tests.scratch_db import REPO_ROOT, run_linli
from linli.lib.idcard import make_id_number

ROWS = 20_000
CHUNK = 1_000
# `import -v 2` prints a line per chunk once it is written (SQLite) or sent (PostgreSQL): wait for five,
# which leaves fifteen to go when the kill lands.
UNDERWAY = re.compile(r"已处理 ([\d,]+) 行")
UNDERWAY_ROWS = 5 * CHUNK
KILL_TIMEOUT = 20.0
RESIDENTS = "SELECT count(*) FROM registry_resident"
IMPORT_EVENTS = "SELECT count(*) FROM audit_auditevent WHERE action = 'resident.import'"


def _write_residents(path: Path, rows: int) -> None:
    start = datetime.date(1940, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "公民身份号码", "联系电话", "人口类型", "现住址"])
        for i in range(rows):
            sequence = i % 1000
            birth = start + datetime.timedelta(days=i // 1000)
            number = make_id_number("650102", birth, sequence, "M" if sequence % 2 else "F")
            writer.writerow([f"居民{i}", number, f"139{i:08d}", "常住", f"育秀路{i % 400}弄{i % 80}号"])


class _Database:
    """The victim's database, seen from the test: counts, and whether a write transaction is open."""

    def __init__(self, var_dir: Path, url: str | None) -> None:
        self.sqlite_file = var_dir / "linli.sqlite3"
        self.url = url

    def count(self, query: str) -> int:
        if self.url is None:
            # Opening the file after the kill runs SQLite's recovery: uncommitted WAL frames are ignored.
            with sqlite3.connect(self.sqlite_file) as conn:
                return int(conn.execute(query).fetchone()[0])
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(query).fetchone()
            assert row is not None
            return int(row[0])

    def writing(self) -> bool:
        if self.url is None:
            # The import's transaction holds SQLite's write lock from its BEGIN IMMEDIATE to its end.
            conn = sqlite3.connect(self.sqlite_file, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                conn.close()
        # The import's session, in its transaction, at (or just past) the upsert into the table.
        return bool(
            self.count(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_xid IS NOT NULL AND query LIKE '%INSERT INTO \"registry_resident\"%'"
            )
        )


def _rows_done(log: Path) -> int:
    done = UNDERWAY.findall(log.read_text(errors="replace"))
    return max((int(rows.replace(",", "")) for rows in done), default=0)


def test_a_killed_import_writes_nothing(tmp_path, scratch_env):
    env = {**scratch_env, "LINLI_IMPORT_CHUNK_ROWS": str(CHUNK)}
    database = _Database(Path(env["LINLI_VAR_DIR"]), env.get("LINLI_DATABASE_URL"))
    source = tmp_path / "residents.csv"
    _write_residents(source, ROWS)
    residents, events = database.count(RESIDENTS), database.count(IMPORT_EVENTS)

    log = tmp_path / "import.log"
    command = ["import", "residents", str(source), "--unit", NQ_GRID]
    with log.open("wb") as out:
        victim = subprocess.Popen(
            [sys.executable, "-m", "linli", *command, "-v", "2"],
            env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    underway = False
    try:
        deadline = time.monotonic() + KILL_TIMEOUT
        while not underway and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
            underway = _rows_done(log) >= UNDERWAY_ROWS and database.writing()
        os.killpg(victim.pid, signal.SIGKILL)
    finally:
        victim.wait(timeout=10)
    assert underway, "the import never got to writing:\n" + log.read_text(errors="replace")
    assert victim.returncode == -signal.SIGKILL, (
        f"the import ended on its own (exit {victim.returncode}) before it could be killed:\n"
        + log.read_text(errors="replace")
    )

    assert database.count(RESIDENTS) == residents
    assert database.count(IMPORT_EVENTS) == events

    # The same command, left alone, writes every row: the kill, not the file, kept them out.
    run_linli(command, env)
    assert database.count(RESIDENTS) == residents + ROWS
    assert database.count(IMPORT_EVENTS) == events + 1
