"""三员分立: the district's business admin, the system admin, the security admin and the auditor each do
their own part and no other; /admin/ is gone."""

from __future__ import annotations

import pytest
from django.test import Client

from linli.accounts.models import Capability, Role
from linli.accounts.selectors.scope import scope_for
from linli.accounts.services.users import account_unlock, membership_grant, user_create
from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID, NQ_GRID_2
from linli.core.errors import ServiceError
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_the_system_admin_manages_accounts_and_sees_no_personal_data(persona, client_for, api_for):
    sysadmin = persona("sysadmin")
    scope = scope_for(sysadmin)
    assert scope.sees_unit(NQ_GRID)
    assert not scope.covers(NQ_GRID)
    assert not scope.can(Capability.VIEW_AUDIT, NQ_GRID)
    newcomer = user_create(
        actor=sysadmin, username="new-grid", display_name="新网格员", password="xin-kouling-1"
    )
    assert newcomer.must_change_password
    membership_grant(
        actor=sysadmin, user=newcomer, unit=Unit.objects.get(code=NQ_GRID_2), role=Role.GRID_WORKER
    )
    assert scope_for(newcomer).covers(NQ_GRID_2)
    assert api_for("sysadmin").get("/api/v1/residents").json()["items"] == []
    assert api_for("sysadmin").get("/api/v1/key-persons").json()["items"] == []
    assert client_for("sysadmin").get("/units/").status_code == 200
    assert client_for("sysadmin").get("/audit/").status_code == 403


def test_the_business_admin_no_longer_grants_accounts(persona):
    with pytest.raises(ServiceError):
        membership_grant(
            actor=persona("admin"),
            user=persona("grid-tq"),
            unit=Unit.objects.get(code=NQ_GRID_2),
            role=Role.GRID_WORKER,
        )
    assert not scope_for(persona("admin")).can_anywhere(Capability.VIEW_AUDIT)
    assert scope_for(persona("admin")).covers(NQ_GRID)  # the business work stays with them


def test_the_security_admin_unlocks_and_sees_no_personal_data(persona, api_for):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "officer-nq", "password": "wrong-2026"})
    assert (
        client.post("/login/", {"username": "officer-nq", "password": "linli-demo-2026"}).status_code == 429
    )
    with pytest.raises(ServiceError):
        account_unlock(actor=persona("sysadmin"), user=persona("officer-nq"), reason="本人来电")
    account_unlock(actor=persona("secadmin"), user=persona("officer-nq"), reason="本人来电")
    assert (
        client.post("/login/", {"username": "officer-nq", "password": "linli-demo-2026"}).status_code == 302
    )
    assert AuditEvent.objects.filter(action="account.unlock", actor_username="secadmin").exists()
    assert not scope_for(persona("secadmin")).covers(NQ_GRID)
    assert api_for("secadmin").get("/api/v1/residents").json()["items"] == []


def test_the_auditor_reads_the_log_and_changes_nothing(persona):
    scope = scope_for(persona("auditor"))
    assert scope.can(Capability.VIEW_AUDIT, NQ_GRID)
    for capability in (Capability.MANAGE_ACCOUNTS, Capability.MANAGE_SECURITY, Capability.MANAGE_UNITS):
        assert not scope.can_anywhere(capability)


def test_the_django_admin_is_gone(client_for):
    assert Client().get("/admin/").status_code == 404
    assert client_for("sysadmin").get("/admin/login/").status_code == 404
