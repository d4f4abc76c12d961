"""REPLACE (SQLite) and TRUNCATE (PostgreSQL) cannot get around the append-only triggers of 0002."""

from __future__ import annotations

from django.db import migrations

from linli.core.append_only import append_only_guards


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_existing_events")]

    operations = [append_only_guards("audit_auditevent", "audit_event", "audit events are append-only")]
