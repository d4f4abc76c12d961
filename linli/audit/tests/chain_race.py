"""Many writers of audit events at once, in a process of its own against a scratch database:

    python -m linli.audit.tests.chain_race THREADS EACH

THREADS threads (each with its own connection) wait at a barrier, then each writes EACH events, every
one in a transaction of its own, half of them inside a longer transaction that also reads. Prints one
JSON line: errors, the number of events, and what `verify_chain` says of the result.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any


def main(threads: int, each: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from linli.audit.models import AuditEvent
    from linli.audit.selectors.chain import verify_chain
    from linli.audit.services.events import audit_record

    before = AuditEvent.objects.count()
    connection.close()
    barrier = threading.Barrier(threads)
    errors: list[str] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        from django.db import connection as own

        try:
            barrier.wait(timeout=60)
            for i in range(each):
                if i % 2:
                    with transaction.atomic():
                        AuditEvent.objects.filter(action="race.write").exists()
                        audit_record(
                            actor=None, action="race.write", unit_path="310120", detail={"t": n, "i": i}
                        )
                else:
                    audit_record(actor=None, action="race.write", unit_path="310120", detail={"t": n, "i": i})
        except Exception as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            own.close()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    report = verify_chain()
    return {
        "errors": errors,
        "written": AuditEvent.objects.count() - before,
        "verified": report.count,
        "broken": None if report.broken is None else report.broken.id,
        "vendor": connection.vendor,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
