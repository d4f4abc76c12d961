"""Accounts and memberships: who may create and grant them, and on which level of unit."""

from __future__ import annotations

import pytest

from linli.accounts.models import Role
from linli.accounts.selectors.scope import scope_for
from linli.accounts.services.users import membership_grant, membership_revoke, user_create
from linli.conftest import NANQIAO, NQ_GRID_2
from linli.core.errors import ServiceError
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_roles_are_only_granted_at_their_level(persona):
    station = Unit.objects.get(code=NANQIAO)
    with pytest.raises(ServiceError, match="不能设在"):
        membership_grant(
            actor=persona("sysadmin"), user=persona("grid-tq"), unit=station, role=Role.GRID_WORKER
        )


def test_only_managers_grant_memberships_in_their_subtree(persona):
    grid = Unit.objects.get(code=NQ_GRID_2)
    newcomer = user_create(
        actor=persona("nanqiao"), username="new-worker", display_name="新网格员", password=None
    )
    with pytest.raises(ServiceError):
        membership_grant(actor=persona("touqiao"), user=newcomer, unit=grid, role=Role.GRID_WORKER)
    with pytest.raises(ServiceError):
        membership_grant(actor=persona("grid-nq"), user=newcomer, unit=grid, role=Role.GRID_WORKER)
    membership = membership_grant(actor=persona("nanqiao"), user=newcomer, unit=grid, role=Role.GRID_WORKER)
    assert scope_for(newcomer).covers(NQ_GRID_2)
    with pytest.raises(ServiceError, match="撤销原因"):
        membership_revoke(actor=persona("nanqiao"), membership=membership, reason=" ")
    with pytest.raises(ServiceError, match="最多 200 字"):
        membership_revoke(actor=persona("nanqiao"), membership=membership, reason="调" * 201)
    membership_revoke(actor=persona("nanqiao"), membership=membership, reason="调岗")
    assert not scope_for(newcomer).covers(NQ_GRID_2)


def test_user_create_rejects_weak_passwords_and_duplicates(persona):
    with pytest.raises(ServiceError):
        user_create(actor=None, username="weak", display_name="弱口令", password="123")
    with pytest.raises(ServiceError, match="已被使用"):
        user_create(actor=None, username="GRID-NQ", display_name="重名", password=None)
