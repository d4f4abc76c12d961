from __future__ import annotations

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from linli.core.env import env_bool, env_int, env_list, secret_key


def test_env_bool_is_strict(monkeypatch):
    monkeypatch.setenv("LINLI_X", "yes")
    assert env_bool("LINLI_X") is True
    monkeypatch.setenv("LINLI_X", "0")
    assert env_bool("LINLI_X", default=True) is False
    monkeypatch.setenv("LINLI_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LINLI_X"):
        env_bool("LINLI_X")


def test_env_int_checks_range(monkeypatch):
    monkeypatch.setenv("LINLI_N", "70000")
    with pytest.raises(ImproperlyConfigured, match="at most"):
        env_int("LINLI_N", 1, maximum=65535)
    monkeypatch.setenv("LINLI_N", "abc")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("LINLI_N", 1)
    monkeypatch.delenv("LINLI_N")
    assert env_int("LINLI_N", 7) == 7


def test_env_list(monkeypatch):
    monkeypatch.setenv("LINLI_L", "a, b,,c")
    assert env_list("LINLI_L", []) == ["a", "b", "c"]


def test_secret_key_is_generated_once_in_development(tmp_path, monkeypatch):
    monkeypatch.delenv("LINLI_SECRET_KEY", raising=False)
    first = secret_key(var_dir=tmp_path, debug=True)
    assert len(first) >= 50
    assert secret_key(var_dir=tmp_path, debug=True) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_is_required_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("LINLI_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="required"):
        secret_key(var_dir=tmp_path, debug=False)
    monkeypatch.setenv("LINLI_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="32"):
        secret_key(var_dir=tmp_path, debug=False)
    monkeypatch.setenv("LINLI_SECRET_KEY", "x" * 40)
    assert secret_key(var_dir=tmp_path, debug=False) == "x" * 40


def test_database_connections_last_as_long_as_configured(monkeypatch):
    from linli.settings import _database

    monkeypatch.setenv("LINLI_DATABASE_URL", "sqlite:///:memory:")
    assert _database()["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("LINLI_DATABASE_URL", "postgres://linli@db.example/linli")
    assert _database()["CONN_MAX_AGE"] == 60
    monkeypatch.setenv("LINLI_DB_CONN_MAX_AGE", "600")
    assert _database()["CONN_MAX_AGE"] == 600
    monkeypatch.setenv("LINLI_DATABASE_URL", "sqlite:///:memory:")
    assert _database()["CONN_MAX_AGE"] == 600
    monkeypatch.setenv("LINLI_DB_CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        _database()
