"""Parallel escalations of one request, run in a process of its own against a scratch database:

    python -m linli.needs.tests.race THREADS

Files a request at 头桥's first grid as `grid-tq`, commits, then starts THREADS threads (each with its
own database connection) that wait at a barrier and all press "上报" with the version they read. Prints
one JSON line: how many escalations succeeded, how many were told the request had changed, any other
errors, and the request's stored state and timeline afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from typing import Any


def main(threads: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.db import connection

    from linli.accounts.models import User
    from linli.needs.models import Channel, Request, RequestCategory, RequestHold
    from linli.needs.services.requests import ChangedByOthers, request_escalate, request_file
    from linli.org.models import Unit

    grid_worker = User.objects.get(username="grid-tq")
    request = request_file(
        actor=grid_worker,
        category=RequestCategory.objects.get(code="other"),
        channel=Channel.PHONE,
        text="楼道灯坏了，老人夜里出门不便",
        unit=Unit.objects.get(path="310120.09.001.01"),
        caller_phone="13900001111",
    )
    version = request.version
    connection.close()

    barrier = threading.Barrier(threads)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def press(n: int) -> None:
        from django.db import connection as own

        try:
            actor = User.objects.get(username="grid-tq")
            mine = Request.objects.get(pk=request.pk)
            barrier.wait(timeout=60)
            request_escalate(actor=actor, request=mine, version=version, reason=f"第{n}人上报")
            outcome = "escalated"
        except ChangedByOthers:
            outcome = "changed"
        except Exception as exc:  # reported, and the test fails on it
            outcome = "error"
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            own.close()
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=press, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    stored = Request.objects.get(pk=request.pk)
    return {
        "vendor": connection.vendor,
        "outcomes": dict(outcomes),
        "errors": errors[:5],
        "version_before": version,
        "version": stored.version,
        "escalations": stored.escalations,
        "holder": stored.holder_path,
        "events": list(stored.events.order_by("id").values_list("kind", flat=True)),
        "open_holds": RequestHold.objects.filter(request=stored, until__isnull=True).count(),
        "holds": RequestHold.objects.filter(request=stored).count(),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))), flush=True)
