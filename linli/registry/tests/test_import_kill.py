"""A killed import leaves nothing behind: the whole write is one transaction (R4).

`linli import residents` runs in a process of its own against a database of its own (a SQLite file under
a temporary LINLI_VAR_DIR, or a new database on the PostgreSQL server of the run), prepared by
`linli migrate` and the demo unit tree (not `linli demo`'s population, which takes longer to load).
Once rows are being written, the process gets SIGKILL: no cleanup, no rollback by Python. The database
must then hold no resident and no import audit event. pytest-django's test database is not used: its
audit table refuses the DELETE that a flush would need.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number

REPO_ROOT = Path(__file__).resolve().parents[3]
ROWS = 200_000
# `import -v 2` prints a line per chunk once it is written (SQLite) or sent (PostgreSQL): wait for two.
UNDERWAY = re.compile(r"已处理 ([\d,]+) 行")
UNDERWAY_ROWS = 40_000
KILL_TIMEOUT = 20.0


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


def _linli(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "linli", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"linli {' '.join(args)}: {result.stdout}{result.stderr}"


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


@contextmanager
def _database(var_dir: Path) -> Iterator[_Database]:
    """SQLite under `var_dir`, or a new database on the PostgreSQL server of this run, dropped after."""
    url = os.environ.get("LINLI_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield _Database(var_dir, None)
        return
    import psycopg
    from psycopg import sql

    name = f"linli_kill_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    child_url = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))
    try:
        yield _Database(var_dir, child_url)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _rows_done(log: Path) -> int:
    done = UNDERWAY.findall(log.read_text(errors="replace"))
    return max((int(rows.replace(",", "")) for rows in done), default=0)


def test_a_killed_import_writes_nothing(tmp_path):
    var_dir = tmp_path / "var"
    source = tmp_path / "residents.csv"
    _write_residents(source, ROWS)
    with _database(var_dir) as database:
        env = {
            **os.environ,
            "LINLI_DEBUG": "1",
            "LINLI_VAR_DIR": str(var_dir),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("LINLI_DATABASE_URL", None)
        if database.url:
            env["LINLI_DATABASE_URL"] = database.url
        _linli(["migrate", "--noinput", "-v", "0"], env)
        _linli(["shell", "-c", "from linli.org.demo import load_org_demo; load_org_demo()"], env)

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

        assert database.count("SELECT count(*) FROM registry_resident") == 0
        assert database.count("SELECT count(*) FROM audit_auditevent WHERE action = 'resident.import'") == 0

        # The same command, left alone, writes every row: the kill, not the file, kept them out.
        _linli(command, env)
        assert database.count("SELECT count(*) FROM registry_resident") == ROWS
