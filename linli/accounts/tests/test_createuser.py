from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from linli.accounts.models import User
from linli.accounts.selectors.scope import scope_for

pytestmark = pytest.mark.django_db


def test_createuser_creates_an_account_with_a_role(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Gr1d-worker-pass\n"))
    out = io.StringIO()
    call_command(
        "createuser", "wg-new", "--name", "张新", "--unit", "310120.01.001.02", "--role", "grid_worker",
        "--password-stdin", stdout=out,
    )  # fmt: skip
    user = User.objects.get(username="wg-new")
    assert user.check_password("Gr1d-worker-pass")
    assert scope_for(user).covers("310120.01.001.02")
    assert "已创建账号" in out.getvalue()


def test_createuser_refuses_bad_input_and_writes_nothing(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Gr1d-worker-pass\n"))
    with pytest.raises(CommandError, match="找不到单位"):
        call_command(
            "createuser", "x1", "--name", "某", "--unit", "nope", "--role", "grid_worker", "--password-stdin"
        )
    monkeypatch.setattr("sys.stdin", io.StringIO("Gr1d-worker-pass\n"))
    with pytest.raises(CommandError, match="不能设在"):
        call_command(
            "createuser",
            "x2",
            "--name",
            "某",
            "--unit",
            "310120.01",
            "--role",
            "grid_worker",
            "--password-stdin",
        )
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()
