"""Tables the database itself keeps append-only: triggers refuse UPDATE and DELETE, on SQLite and on
PostgreSQL. Migrations create them with `append_only(table, prefix, message)`; audit events and
request timelines use it."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _statements(table: str, prefix: str, message: str) -> dict[str, tuple[list[str], list[str]]]:
    sqlite_create = [
        f"""
        CREATE TRIGGER {prefix}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END;
        """,
        f"""
        CREATE TRIGGER {prefix}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END;
        """,
    ]
    sqlite_drop = [
        f"DROP TRIGGER IF EXISTS {prefix}_no_update;",
        f"DROP TRIGGER IF EXISTS {prefix}_no_delete;",
    ]
    postgres_create = [
        f"""
        CREATE OR REPLACE FUNCTION {prefix}_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER {prefix}_no_update_or_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {prefix}_refuse_change();
        """,
    ]
    postgres_drop = [
        f"DROP TRIGGER IF EXISTS {prefix}_no_update_or_delete ON {table};",
        f"DROP FUNCTION IF EXISTS {prefix}_refuse_change();",
    ]
    return {"sqlite": (sqlite_create, sqlite_drop), "postgresql": (postgres_create, postgres_drop)}


def append_only(table: str, prefix: str, message: str) -> migrations.RunPython:
    """The migration operation that makes `table` append-only (and, reversed, removes the triggers)."""
    statements = _statements(table, prefix, message)

    def run(index: int) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            for statement in statements.get(schema_editor.connection.vendor, ([], []))[index]:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(0), run(1))
