"""Concurrent filings on a grid's public page, run in a process of its own against a scratch database:

    python -m linli.needs.tests.intake_race BURST

Two races through the real view, each thread with its own database connection, all released by a
barrier: BURST filings from one address with BURST different answered questions (the hourly limit must
hold), then two filings from two addresses with one and the same answer (it must file once). Prints one
JSON line with the status codes and the rows stored.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections import Counter
from typing import Any

GRID = "310120.01.001.01"


def main(burst: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from linli.needs.models import IntakeAnsweredQuestion, IntakeFilingCount, Request, RequestCategory
    from linli.needs.services.intake import challenge_new

    category = RequestCategory.objects.get(code="other").pk
    # The scratch database is shared with other tests: count what this race adds.
    requests_before = Request.objects.count()
    answered_before = IntakeAnsweredQuestion.objects.count()
    connection.close()

    def form() -> dict[str, Any]:
        challenge = challenge_new(now=time.time() - 10)
        a, b = (int(n) for n in re.findall(r"\d+", challenge.question))
        return {
            "category": category,
            "text": "小区门口路灯不亮",
            "caller_name": "",
            "caller_phone": "13700001234",
            "place_text": "",
            "website": "",
            "challenge": challenge.token,
            "answer": str(a + b),
        }

    def race(posts: list[tuple[str, dict[str, Any]]]) -> tuple[Counter[int], list[str]]:
        barrier = threading.Barrier(len(posts))
        statuses: Counter[int] = Counter()
        errors: list[str] = []
        lock = threading.Lock()

        def post(address: str, data: dict[str, Any]) -> None:
            from django.db import connection as own

            client = Client(REMOTE_ADDR=address, HTTP_HOST="localhost", raise_request_exception=True)
            try:
                barrier.wait(timeout=60)
                status = client.post(f"/g/{GRID}/ask", data).status_code
            except Exception as exc:  # reported, and the test fails on it
                status = 0
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                own.close()
            with lock:
                statuses[status] += 1

        workers = [threading.Thread(target=post, args=item) for item in posts]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return statuses, errors

    burst_statuses, burst_errors = race([("203.0.113.7", form()) for _ in range(burst)])
    filed_in_burst = Request.objects.count() - requests_before
    one_answer = form()
    reuse_statuses, reuse_errors = race([("198.51.100.1", one_answer), ("198.51.100.2", one_answer)])
    return {
        "vendor": connection.vendor,
        "burst": dict(burst_statuses),
        "filed_in_burst": filed_in_burst,
        "reuse": dict(reuse_statuses),
        "filed_after_reuse": Request.objects.count() - requests_before,
        "counts": sorted(IntakeFilingCount.objects.values_list("address", "count")),
        "answered": IntakeAnsweredQuestion.objects.count() - answered_before,
        "errors": (burst_errors + reuse_errors)[:5],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))), flush=True)
