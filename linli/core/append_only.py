"""Tables the database itself keeps append-only: triggers refuse UPDATE and DELETE, on SQLite and on
PostgreSQL. Migrations create them with `append_only(table, prefix, message)`; audit events and
request timelines use it.

`append_only_guards(table, prefix, message)` closes the two ways around those triggers: on SQLite
`INSERT OR REPLACE` / `REPLACE INTO` deletes the conflicting row without firing DELETE triggers (a
BEFORE INSERT trigger refuses any insert whose id already exists), and on PostgreSQL `TRUNCATE` fires
no row triggers (a statement trigger refuses it). `suspended(...)` lets a migration fill a new column
of existing rows: it drops the UPDATE trigger, runs, and puts it back in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        _postgres_function(prefix, message),
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


def _postgres_function(prefix: str, message: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {prefix}_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
        """


def _guard_statements(table: str, prefix: str, message: str) -> dict[str, tuple[list[str], list[str]]]:
    sqlite_create = [
        # REPLACE resolves a primary-key conflict by deleting the old row, and SQLite fires DELETE
        # triggers for that only with recursive_triggers on: refuse the insert before it conflicts.
        f"""
        CREATE TRIGGER {prefix}_no_replace BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{message}'); END;
        """,  # noqa: S608  (table, prefix and message are constants of the migrations)
    ]
    sqlite_drop = [f"DROP TRIGGER IF EXISTS {prefix}_no_replace;"]
    postgres_create = [
        # TRUNCATE fires no row triggers; a statement trigger refuses it (the function already exists).
        _postgres_function(prefix, message),
        f"""
        CREATE TRIGGER {prefix}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_refuse_change();
        """,
    ]
    postgres_drop = [f"DROP TRIGGER IF EXISTS {prefix}_no_truncate ON {table};"]
    return {"sqlite": (sqlite_create, sqlite_drop), "postgresql": (postgres_create, postgres_drop)}


def _operation(statements: dict[str, tuple[list[str], list[str]]]) -> migrations.RunPython:
    def run(index: int) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            for statement in statements.get(schema_editor.connection.vendor, ([], []))[index]:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(0), run(1))


def append_only(table: str, prefix: str, message: str) -> migrations.RunPython:
    """The migration operation that makes `table` append-only (and, reversed, removes the triggers)."""
    return _operation(_statements(table, prefix, message))


def append_only_guards(table: str, prefix: str, message: str) -> migrations.RunPython:
    """The migration operation that refuses REPLACE (SQLite) and TRUNCATE (PostgreSQL) on `table`."""
    return _operation(_guard_statements(table, prefix, message))


@contextmanager
def suspended(schema_editor: Any, table: str, prefix: str, message: str) -> Iterator[None]:
    """Inside a migration: drop the UPDATE/DELETE triggers, run the body, and create them again."""
    create, drop = _statements(table, prefix, message).get(schema_editor.connection.vendor, ([], []))
    for statement in drop:
        if not statement.startswith("DROP FUNCTION"):  # the TRUNCATE guard still uses the function
            schema_editor.execute(statement)
    yield
    for statement in create:
        schema_editor.execute(statement)


def with_triggers_suspended(
    table: str, prefix: str, message: str, body: Callable[[Any, Any], None]
) -> migrations.RunPython:
    """A RunPython that calls `body(apps, schema_editor)` with the table's UPDATE/DELETE triggers off."""

    def apply(apps: Any, schema_editor: Any) -> None:
        with suspended(schema_editor, table, prefix, message):
            body(apps, schema_editor)

    return migrations.RunPython(apply, migrations.RunPython.noop)
