"""Audit events are append-only at the database level, and written in the same transaction as the change."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from linli.audit.models import AuditEvent
from linli.audit.services.events import audit_record
from linli.conftest import NQ_COMMUNITY
from linli.core.context import client_address
from linli.core.errors import ServiceError
from linli.org.models import SupportPoint, Unit
from linli.org.services.support_points import support_point_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(persona):
    return audit_record(actor=persona("nanqiao"), action="test.event", object_type="org.unit", object_id=1)


def test_the_database_refuses_orm_updates(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    event.reason = "changed"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()
    event.refresh_from_db()
    assert event.reason == ""


def test_the_database_refuses_orm_deletes(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_raw_sql_changes(event):
    for statement in [
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_inserting_is_allowed_and_records_the_client_address(persona):
    token = client_address.set("10.1.2.3")
    try:
        event = audit_record(
            actor=persona("grid-nq"), action="test.read", unit_path="310120.01.001.01", reason="核查"
        )
    finally:
        client_address.reset(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_username, stored.client_address, stored.reason) == ("grid-nq", "10.1.2.3", "核查")
    assert stored.at is not None


def test_a_service_writes_its_event_in_the_same_transaction(persona):
    unit = Unit.objects.get(code=NQ_COMMUNITY)
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        support_point_create(actor=persona("nanqiao"), unit=unit, kind="safety_house", name="回滚平安屋")
        assert AuditEvent.objects.count() == before + 1
        raise RuntimeError("the caller fails after the service")
    assert not SupportPoint.objects.filter(name="回滚平安屋").exists()
    assert AuditEvent.objects.count() == before


def test_a_refused_service_call_writes_neither_row_nor_event(persona):
    unit = Unit.objects.get(code=NQ_COMMUNITY)
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError):
        support_point_create(actor=persona("grid-nq"), unit=unit, kind="safety_house", name="越权平安屋")
    assert AuditEvent.objects.count() == before


def test_auditor_sees_only_their_district(persona):
    from linli.audit.selectors.events import audit_events_visible_to

    audit_record(actor=None, action="test.fengxian", unit_path="310120.01.001")
    audit_record(actor=None, action="test.angsu", unit_path="150623.01.001")
    actions = set(audit_events_visible_to(user=persona("auditor")).values_list("action", flat=True))
    assert "test.fengxian" in actions
    assert "test.angsu" not in actions
    assert not audit_events_visible_to(user=persona("grid-nq")).exists()
