"""The database itself refuses changes to audit rows, on SQLite and on PostgreSQL."""

from __future__ import annotations

from django.db import migrations

from linli.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [append_only("audit_auditevent", "audit_event", "audit events are append-only")]
