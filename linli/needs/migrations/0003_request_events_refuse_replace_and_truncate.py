"""REPLACE (SQLite) and TRUNCATE (PostgreSQL) cannot get around the append-only triggers of 0002."""

from __future__ import annotations

from django.db import migrations

from linli.core.append_only import append_only_guards


class Migration(migrations.Migration):
    dependencies = [("needs", "0002_categories_and_append_only")]

    operations = [append_only_guards("needs_requestevent", "needs_event", "request events are append-only")]
