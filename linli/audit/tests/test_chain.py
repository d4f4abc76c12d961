"""The audit log and the request timelines cannot be rewritten around their triggers, and the hash
chain names the first event that was changed or removed behind the database's back."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from linli.audit.models import AuditEvent
from linli.audit.selectors.chain import verify_chain
from linli.audit.services.events import audit_record

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"
APPEND_ONLY = {
    "audit_auditevent": ("audit_event", "audit events are append-only"),
    "needs_requestevent": ("needs_event", "request events are append-only"),
}


@pytest.fixture
def events(persona):
    return [
        audit_record(actor=persona("nanqiao"), action="test.event", unit_path="310120.01", detail={"n": n})
        for n in range(3)
    ]


@pytest.fixture
def request_event(persona):
    from linli.needs.models import Channel, RequestCategory
    from linli.needs.services.requests import request_file
    from linli.org.models import Unit

    request = request_file(
        actor=persona("grid-nq"),
        category=RequestCategory.objects.get(code="other"),
        channel=Channel.PHONE,
        text="楼道灯坏了",
        unit=Unit.objects.get(path="310120.01.001.01"),
        caller_phone="13900001111",
    )
    return request.events.first()


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


@pytest.mark.skipif(not SQLITE, reason="REPLACE is SQLite's")
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE INTO", "REPLACE INTO"])
def test_sqlite_refuses_replace_on_both_tables(verb, events, request_event):
    for table, pk in [("audit_auditevent", events[1].pk), ("needs_requestevent", request_event.pk)]:
        columns = _columns(table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
            row = list(cursor.fetchone())
        # The forged row: the same id, one text column changed.
        changed = columns.index("action" if table == "audit_auditevent" else "note")
        row[changed] = "forged"
        placeholders = ", ".join(["%s"] * len(columns))
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"{verb} {table} ({', '.join(columns)}) VALUES ({placeholders})", row)
    assert AuditEvent.objects.get(pk=events[1].pk).action == "test.event"
    assert request_event.__class__.objects.get(pk=request_event.pk).note != "forged"


@pytest.mark.skipif(SQLITE, reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate_on_both_tables(events, request_event):
    for table in APPEND_ONLY:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            # Fire the test's pending deferred foreign-key checks first, so that only the trigger can refuse.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.filter(pk=events[0].pk).exists()
    assert request_event.__class__.objects.filter(pk=request_event.pk).exists()


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _drop_update_and_delete_triggers(table: str) -> None:
    """As an attacker with DDL rights would; DDL is transactional on both databases, so the test's
    rollback puts the triggers back."""
    prefix, _ = APPEND_ONLY[table]
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute(f"DROP TRIGGER {prefix}_no_update")
            cursor.execute(f"DROP TRIGGER {prefix}_no_delete")
        else:
            cursor.execute(f"DROP TRIGGER {prefix}_no_update_or_delete ON {table}")


def test_events_are_chained_as_written(events):
    assert events[0].hash and events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    stored = AuditEvent.objects.get(pk=events[2].pk)
    assert (stored.prev_hash, stored.hash) == (events[2].prev_hash, events[2].hash)


def test_an_intact_log_verifies(events):
    assert _verify() == f"审计日志完整：{AuditEvent.objects.count()} 条\n"


def test_an_altered_event_is_reported_at_its_id(events):
    _drop_update_and_delete_triggers("audit_auditevent")
    AuditEvent.objects.filter(pk=events[1].pk).update(actor_username="someone-else")
    report = verify_chain()
    assert report.broken is not None and report.broken.id == events[1].pk
    with pytest.raises(CommandError, match=f"编号 {events[1].pk}（.*）：本条记录的内容与其摘要不符"):
        _verify()


def test_an_altered_detail_with_a_recomputed_own_hash_breaks_the_next_link(events):
    from linli.audit.selectors.chain import event_hash, fields_of

    _drop_update_and_delete_triggers("audit_auditevent")
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.detail = {"n": 99}
    AuditEvent.objects.filter(pk=forged.pk).update(
        detail=forged.detail, hash=event_hash(fields_of(forged), forged.prev_hash)
    )
    report = verify_chain()
    assert report.broken is not None and report.broken.id == events[2].pk


def test_a_deleted_middle_event_is_reported_at_the_next_one(events):
    _drop_update_and_delete_triggers("audit_auditevent")
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    with pytest.raises(CommandError, match=f"编号 {events[2].pk}（.*）：与前一条记录的摘要不符"):
        _verify()


def test_a_month_archive_verifies_and_detects_a_change(events, tmp_path):
    from django.utils import timezone

    month = timezone.localtime(events[0].at).strftime("%Y-%m")
    out = StringIO()
    call_command("audit", "archive", "--month", month, "--out", str(tmp_path), stdout=out)
    folder = tmp_path / f"audit-{month}"
    anchors = json.loads((folder / "anchors.json").read_text())
    assert anchors["last_hash"] == AuditEvent.objects.order_by("-id").values_list("hash", flat=True)[0]
    assert (folder / "events.csv").read_text(encoding="utf-8-sig").startswith("编号,时间,操作人,动作")
    out = StringIO()
    call_command("audit", "verify", "--archive", str(folder), stdout=out)
    assert out.getvalue() == f"归档完整：{anchors['count']} 条\n"
    lines = (folder / "events.jsonl").read_text().splitlines()
    lines[-1] = lines[-1].replace('"n": 2', '"n": 7')
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="归档校验失败"):
        call_command("audit", "verify", "--archive", str(folder))


def test_every_guard_trigger_is_in_place():
    """A later migration that rebuilds one of these tables (SQLite does for many schema changes) drops
    its triggers: this names the one that went missing."""
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    suffixes = ["no_update", "no_delete", "no_replace"] if SQLITE else ["no_update_or_delete", "no_truncate"]
    expected = {f"{prefix}_{suffix}" for prefix, _ in APPEND_ONLY.values() for suffix in suffixes}
    assert expected <= present, expected - present


def test_verify_after_an_archive_starts_from_its_anchor(events, tmp_path):
    from django.utils import timezone

    month = timezone.localtime(events[0].at).strftime("%Y-%m")
    call_command("audit", "archive", "--month", month, "--out", str(tmp_path), stdout=StringIO())
    audit_record(actor=None, action="test.later", unit_path="310120")
    out = StringIO()
    call_command("audit", "verify", "--after-archive", str(tmp_path / f"audit-{month}"), stdout=out)
    assert out.getvalue() == "审计日志完整：1 条\n"


def test_old_account_events_get_their_district_and_the_chain_stays_whole(persona):
    """Migration audit/0006 on events written before account events had a unit."""
    import importlib

    from django.apps import apps

    from linli.audit.services.events import _write

    def old_event(**fields):
        base = {"at": timezone_now(), "actor": None, "actor_username": "", "object_type": "", "object_id": "",
                "unit_path": "", "reason": "", "client_address": "", "detail": {}}  # fmt: skip
        return _write({**base, **fields})

    grid_nq = persona("grid-nq")
    login = old_event(action="auth.login", actor=grid_nq, actor_username="grid-nq",
                      object_type="accounts.user", object_id=str(grid_nq.pk))  # fmt: skip
    failed = old_event(action="auth.login_failed", detail={"username": "GRID-AS"})
    unknown = old_event(action="auth.login_failed", detail={"username": "nobody-at-all"})
    other = old_event(action="demo.load")
    after = audit_record(actor=None, action="test.after", unit_path="310120")
    _drop_update_and_delete_triggers("audit_auditevent")
    migration = importlib.import_module("linli.audit.migrations.0006_account_events_get_their_district")
    migration.fill(apps, None)
    paths = dict(AuditEvent.objects.filter(pk__in=[login.pk, failed.pk, unknown.pk, other.pk])
                 .values_list("pk", "unit_path"))  # fmt: skip
    assert paths == {login.pk: "310120", failed.pk: "150623", unknown.pk: "150623", other.pk: ""}
    report = verify_chain()
    assert report.broken is None and report.last_id == after.pk


def timezone_now():
    from django.utils import timezone

    return timezone.now()
