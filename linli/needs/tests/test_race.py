"""Two people acting on the same request at once never lose an update (S3, issue 5).

Fifty threads press "上报" on one request with the version they all read, each in a transaction of its
own on the run's scratch database (committed data, real connections). On PostgreSQL they run truly in
parallel; on SQLite they queue for the write lock. Either way exactly one escalates; every other is told
that the request changed, and the timeline and route show one step.
"""

from __future__ import annotations

from linli.core.tests.scratch_db import run_module

THREADS = 50


def test_fifty_parallel_escalations_end_in_exactly_one(scratch_env):
    report = run_module("linli.needs.tests.race", [str(THREADS)], scratch_env)
    assert report["outcomes"] == {"escalated": 1, "changed": THREADS - 1}, report
    assert report["escalations"] == 1
    assert report["version"] == report["version_before"] + 1
    assert report["holder"] == "310120.09.001"
    assert report["events"] == ["filed", "escalated"]
    assert report["holds"] == 2 and report["open_holds"] == 1
