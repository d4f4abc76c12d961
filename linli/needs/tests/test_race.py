"""Two people acting on the same request at once never lose an update (S3, issue 5).

Fifty threads press "上报" on one request with the version they all read, each in a transaction of its
own on a scratch database (committed data, real connections). On PostgreSQL they run truly in parallel;
on SQLite they queue for the write lock. Either way exactly one escalates; every other is told that the
request changed, and the timeline and route show one step.
"""

from __future__ import annotations

import json
import sys

from linli.core.tests.scratch_db import REPO_ROOT, prepare, scratch_database

THREADS = 50


def test_fifty_parallel_escalations_end_in_exactly_one(tmp_path):
    import subprocess

    with scratch_database(tmp_path / "var") as env:
        prepare(env)
        result = subprocess.run(
            [sys.executable, "-m", "linli.needs.tests.race", str(THREADS)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report
    assert report["outcomes"] == {"escalated": 1, "changed": THREADS - 1}, report
    assert report["escalations"] == 1
    assert report["version"] == report["version_before"] + 1
    assert report["holder"] == "310120.09.001"
    assert report["events"] == ["filed", "escalated"]
    assert report["holds"] == 2 and report["open_holds"] == 1
