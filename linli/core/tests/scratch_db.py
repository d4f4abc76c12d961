"""A database of its own for tests that need committed data seen by other connections or processes
(a killed import, parallel escalations). pytest-django's test database cannot serve: its tests run in a
transaction nobody else sees, and a flush would need DELETE on the append-only tables.

`scratch_database(var_dir)` gives the environment for `linli` subprocesses: a SQLite file under
`var_dir`, or, when the run is on PostgreSQL (LINLI_DATABASE_URL), a new database on the same server,
dropped afterwards. `prepare(env)` migrates it and loads the demo unit tree and personas.

Preparing costs about ten seconds, so the run prepares one and shares it: the session fixture
`scratch_env` (linli/conftest.py). Its tests touch different rows and assert on what they changed
themselves, never on a table's total. `run_module` runs a test's driver module (a race) against it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def scratch_database(var_dir: Path) -> Iterator[dict[str, str]]:
    """Environment variables for processes using the scratch database (LINLI_DATABASE_URL set on PG)."""
    env = {
        **os.environ,
        "LINLI_DEBUG": "1",
        "LINLI_VAR_DIR": str(var_dir),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("LINLI_DATABASE_URL", None)
    url = os.environ.get("LINLI_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield env
        return
    import psycopg
    from psycopg import sql

    name = f"linli_scratch_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env["LINLI_DATABASE_URL"] = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))
    try:
        yield env
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_linli(args: list[str], env: dict[str, str], *, timeout: float = 180) -> str:
    """`python -m linli ARGS` against the scratch database; its output, or a failed assertion."""
    result = subprocess.run(
        [sys.executable, "-m", "linli", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"linli {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


_PREPARE = """
from django.core.management import call_command
from linli.demo.org import load_org_demo
call_command("migrate", interactive=False, verbosity=0)
load_org_demo()
"""


def prepare(env: dict[str, str]) -> None:
    """Migrate the scratch database and load the demo unit tree and personas (not the population)."""
    run_linli(["shell", "-c", _PREPARE], env)


def run_module(module: str, args: list[str], env: dict[str, str], *, timeout: float = 300) -> dict[str, Any]:
    """Run `python -m MODULE ARGS` against the scratch database; the JSON report on its last line.

    The drivers (races) print one JSON object last, with an `errors` list that must be empty.
    """
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report
    return report
