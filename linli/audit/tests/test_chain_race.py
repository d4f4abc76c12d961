"""Concurrent writers keep the audit chain one unbroken line. On PostgreSQL they run truly in parallel
and only the chain's advisory lock keeps them in line (without it this test finds a fork); on SQLite
every write transaction already holds the database's write lock, so the test runs on PostgreSQL only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from linli.core.tests.scratch_db import REPO_ROOT, run_linli, scratch_database

THREADS = 12
EACH = 10


@pytest.mark.skipif(
    not os.environ.get("LINLI_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's concurrency"
)
def test_parallel_writers_leave_an_unbroken_chain(tmp_path):
    with scratch_database(tmp_path / "var") as env:
        run_linli(["migrate", "--noinput", "-v", "0"], env)
        result = subprocess.run(
            [sys.executable, "-m", "linli.audit.tests.chain_race", str(THREADS), str(EACH)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report
    assert report["written"] == THREADS * EACH
    assert report["broken"] is None, report
    assert report["verified"] >= THREADS * EACH
