"""Concurrent writers keep the audit chain one unbroken line (on PostgreSQL they run truly in
parallel and are serialised by the chain's advisory lock; on SQLite they queue for the write lock)."""

from __future__ import annotations

import json
import subprocess
import sys

from linli.core.tests.scratch_db import REPO_ROOT, prepare, scratch_database

THREADS = 12
EACH = 10


def test_parallel_writers_leave_an_unbroken_chain(tmp_path):
    with scratch_database(tmp_path / "var") as env:
        prepare(env)
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
