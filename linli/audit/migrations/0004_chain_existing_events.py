"""Chain the events written before the hash chain existed, in id order (the UPDATE trigger is lifted
for this migration only and restored in the same transaction). On SQLite, 0003's AddField rebuilt the
table, which drops its triggers: they are created again here, and 0005 adds the REPLACE guard after."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from linli.audit.selectors.chain import GENESIS, HASHED_FIELDS, event_hash
from linli.core.append_only import with_triggers_suspended


def chain(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    prev_hash = GENESIS
    after = 0
    while True:
        rows = list(
            event_model.objects.filter(id__gt=after).order_by("id").values("id", *HASHED_FIELDS)[:2000]
        )
        if not rows:
            return
        for row in rows:
            digest = event_hash(row, prev_hash)
            event_model.objects.filter(id=row["id"]).update(prev_hash=prev_hash, hash=digest)
            prev_hash = digest
        after = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain_fields")]

    operations = [
        with_triggers_suspended("audit_auditevent", "audit_event", "audit events are append-only", chain)
    ]
