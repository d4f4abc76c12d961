"""SQLite runs in WAL mode with immediate transactions, so that concurrent writers wait instead of failing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

from linli.settings import _database


def _connection(path: str, monkeypatch: Any) -> DatabaseWrapper:
    monkeypatch.setenv("LINLI_DATABASE_URL", f"sqlite:///{path}")
    config = _database()
    config.setdefault("TIME_ZONE", None)
    config.setdefault("AUTOCOMMIT", True)
    config.setdefault("ATOMIC_REQUESTS", False)
    return DatabaseWrapper(config, alias=f"sqlite-{threading.get_ident()}")


@pytest.fixture(autouse=True)
def _allow_private_connections(django_db_blocker: Any) -> Any:
    # These tests open their own SQLite files, not the test database.
    with django_db_blocker.unblock():
        yield


def test_file_databases_use_wal_and_immediate_transactions(tmp_path, monkeypatch):
    conn = _connection(str(tmp_path / "a.sqlite3"), monkeypatch)
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert conn.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    conn.close()
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_concurrent_writers_wait_for_each_other(tmp_path, monkeypatch):
    path = str(tmp_path / "b.sqlite3")
    setup = _connection(path, monkeypatch)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer() -> None:
        conn = _connection(path, monkeypatch)
        try:
            start.wait()
            for _ in range(25):
                # A read followed by a write in one transaction: the pattern that fails with
                # "database is locked" under SQLite's default deferred transactions.
                # What transaction.atomic() does on SQLite: BEGIN (IMMEDIATE, from the settings).
                conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
                with conn.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")
                    n = cursor.fetchone()[0]
                    cursor.execute("UPDATE counter SET n = %s", [n + 1])
                conn.commit()
                conn.set_autocommit(True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = _connection(path, monkeypatch)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone()[0] == 100
    check.close()
