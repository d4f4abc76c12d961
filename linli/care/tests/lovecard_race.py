"""Concurrent scans of one love card, run in a process of its own against a scratch database:

    python -m linli.care.tests.lovecard_race SCANS

Enrols a person with a card at 南桥's first grid, commits, then lets SCANS threads (each with its own
database connection) open the finder's page at once, and after that SCANS threads post a location at
once. Prints one JSON line: status codes, scan rows and the notifications queued after each race.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading
from collections import Counter
from typing import Any

GRID = "310120.01.001.01"


def main(scans: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    os.environ["LINLI_NOTIFY_CHANNELS"] = "database"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from linli.accounts.models import User
    from linli.care.models import LoveCardScan
    from linli.care.services.key_persons import CategoryInput, key_person_enrol
    from linli.care.services.love_cards import love_card_issue
    from linli.lib.idcard import make_id_number
    from linli.notify.models import Notification
    from linli.registry.models import Resident

    officer = User.objects.get(username="officer-nq")
    resident = Resident.objects.create(
        name="王秀英", document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1941, 3, 8), 26, "F"),
        residence_type="registered", unit_path=GRID,
    )  # fmt: skip
    person = key_person_enrol(
        actor=officer, resident=resident, categories=[CategoryInput("dementia_wandering")],
        responsible=User.objects.get(username="grid-nq"), guardians=[("李建国", "儿子", "13900009876")],
    )  # fmt: skip
    card = love_card_issue(actor=officer, key_person=person)
    connection.close()

    def race(data: dict[str, str] | None) -> tuple[Counter[int], list[str]]:
        barrier = threading.Barrier(scans)
        statuses: Counter[int] = Counter()
        errors: list[str] = []
        lock = threading.Lock()

        def scan(n: int) -> None:
            from django.db import connection as own

            client = Client(
                REMOTE_ADDR=f"10.9.8.{n + 1}", HTTP_HOST="localhost", raise_request_exception=True
            )
            try:
                barrier.wait(timeout=60)
                url = f"/c/{card.token}"
                status = (client.post(url, data) if data else client.get(url)).status_code
            except Exception as exc:  # reported, and the test fails on it
                status = 0
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                own.close()
            with lock:
                statuses[status] += 1

        workers = [threading.Thread(target=scan, args=(n,)) for n in range(scans)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return statuses, errors

    opened, open_errors = race(None)
    alerts = Notification.objects.filter(text__startswith="【爱心联系卡】")
    after_open = list(alerts.values_list("recipient__username", flat=True))
    scans_after_open = LoveCardScan.objects.filter(card=card).count()
    told, tell_errors = race({"location": "解放路公交站"})
    return {
        "vendor": connection.vendor,
        "opened": dict(opened),
        "scans_after_open": scans_after_open,
        "notified_after_open": sorted(after_open),
        "told": dict(told),
        "scans": LoveCardScan.objects.filter(card=card).count(),
        "located_scans": LoveCardScan.objects.filter(card=card, location="解放路公交站").count(),
        "location_notices": sorted(
            alerts.filter(text__contains="解放路公交站").values_list("recipient__username", flat=True)
        ),
        "notifications": alerts.count(),
        "errors": (open_errors + tell_errors)[:5],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))), flush=True)
