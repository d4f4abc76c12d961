"""Concurrent writers keep the audit chain one unbroken line. On PostgreSQL they run truly in parallel
and only the chain's advisory lock keeps them in line (without it this test finds a fork); on SQLite
every write transaction already holds the database's write lock, so the test runs on PostgreSQL only."""

from __future__ import annotations

import os

import pytest

from linli.core.tests.scratch_db import run_module

THREADS = 12
EACH = 10


@pytest.mark.skipif(
    not os.environ.get("LINLI_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's concurrency"
)
def test_parallel_writers_leave_an_unbroken_chain(scratch_env):
    report = run_module("linli.audit.tests.chain_race", [str(THREADS), str(EACH)], scratch_env)
    assert report["written"] == THREADS * EACH
    assert report["broken"] is None, report
    assert report["verified"] >= THREADS * EACH
