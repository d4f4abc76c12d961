"""The public pages hold under concurrent requests: real threads, each with its own connection, on a
scratch database with committed data (SQLite queues them for the write lock, PostgreSQL runs them truly
in parallel): the run's shared `scratch_env`, where the two races touch different rows.

- The grid intake (needs.intake_guard): a burst of 10 filings from one address files exactly the hourly
  limit of 5; one answered question sent twice at once files once.
- Love cards (care.lovecards): 20 scans at once are all logged and alert the responsible people once;
  20 locations at once are all logged and passed on once.
"""

from __future__ import annotations

from typing import Any

from linli.core.tests.scratch_db import run_module

BURST = 10
SCANS = 20
RESPONSIBLE = ["grid-nq", "officer-nq"]  # the responsible member and the community officer


def _race(module: str, n: int, env: dict[str, str]) -> dict[str, Any]:
    return run_module(module, [str(n)], env)


def test_a_burst_of_filings_stops_at_the_hourly_limit_and_one_answer_files_once(scratch_env):
    from linli.needs.services.intake import FILINGS_PER_HOUR as LIMIT

    report = _race("linli.needs.tests.intake_race", BURST, scratch_env)
    # Five filed; the other five were shown the form again with the limit's message.
    assert report["burst"] == {"200": LIMIT, "400": BURST - LIMIT}, report
    assert report["filed_in_burst"] == LIMIT
    assert report["reuse"] == {"200": 1, "400": 1}, report
    assert report["filed_after_reuse"] == LIMIT + 1
    assert ["203.0.113.7", LIMIT] in report["counts"]
    assert report["answered"] == LIMIT + 1


def test_concurrent_love_card_scans_are_all_logged_and_alert_once(scratch_env):
    report = _race("linli.care.tests.lovecard_race", SCANS, scratch_env)
    assert report["opened"] == {"200": SCANS}
    assert report["scans_after_open"] == SCANS
    assert report["notified_after_open"] == RESPONSIBLE
    assert report["told"] == {"200": SCANS}
    assert report["scans"] == 2 * SCANS
    assert report["located_scans"] == SCANS
    assert report["location_notices"] == RESPONSIBLE
    assert report["notifications"] == 2 * len(RESPONSIBLE)
