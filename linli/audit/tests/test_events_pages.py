"""The audit log reads in Chinese, narrows to a unit and period, exports (itself audited), and shows
the district's auditors the sign-ins and account changes of their district's people."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from linli.audit.models import AuditEvent
from linli.audit.services.events import audit_record
from linli.conftest import DEMO_PASSWORD
from linli.core.context import client_address

pytestmark = pytest.mark.django_db


def test_the_page_reads_in_chinese(client_for, persona):
    token = client_address.set("10.9.8.7")
    try:
        audit_record(
            actor=persona("grid-nq"),
            action="love_card.issue",
            object_type="care.keyperson",
            object_id=4,
            unit_path="310120.01.001.01",
        )
        audit_record(actor=persona("grid-nq"), action="brand.new_code", unit_path="310120.01.001.01")
    finally:
        client_address.reset(token)
    page = client_for("auditor").get(reverse("audit-log")).content.decode()
    assert "发放爱心卡" in page and "重点人员" in page and "10.9.8.7" in page
    assert "brand.new_code" in page  # an unknown code reads as itself
    assert "（grid-nq）" in page  # name and account


def test_a_failed_login_and_a_login_reach_the_district_auditor(client):
    client.post(reverse("login"), {"username": "grid-nq", "password": "wrong-password-1"})
    client.post(reverse("login"), {"username": "nobody-here", "password": "wrong-password-1"})
    client.post(reverse("login"), {"username": "grid-nq", "password": DEMO_PASSWORD})
    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert {e.unit_path for e in failed if e.detail.get("username") == "grid-nq"} == {"310120"}
    # An unknown username: every district of the deployment.
    assert {e.unit_path for e in failed if e.detail.get("username") == "nobody-here"} >= {"310120", "150623"}
    from linli.accounts.models import User
    from linli.audit.selectors.events import audit_events_visible_to

    visible = audit_events_visible_to(user=User.objects.get(username="auditor"))
    assert visible.filter(action="auth.login_failed", detail__username="grid-nq").exists()
    assert visible.filter(action="auth.login_failed", detail__username="nobody-here").exists()


def test_an_account_event_gets_the_district_of_the_account(persona):
    event = audit_record(actor=persona("grid-nq"), action="password.change", obj=persona("grid-nq"))
    assert event.unit_path == "310120"


def test_export_is_narrowed_audited_and_formula_safe(client_for, persona):
    audit_record(actor=None, action="test.inside", unit_path="310120.01.001.01", reason="=HYPERLINK(1)")
    audit_record(actor=None, action="test.other_station", unit_path="310120.09.001.01")
    audit_record(actor=None, action="test.angsu", unit_path="150623.01.001")
    client = client_for("auditor")
    before = AuditEvent.objects.filter(action="audit.export").count()
    response = client.get(reverse("audit-export"), {"unit": "310120.01", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "时间", "操作人", "动作"]
    actions = {row[4] for row in rows[1:]}
    assert "test.inside" in actions and "test.other_station" not in actions and "test.angsu" not in actions
    assert "'=HYPERLINK(1)" in {row[9] for row in rows[1:]}
    assert AuditEvent.objects.filter(action="audit.export").count() == before + 1
    assert AuditEvent.objects.filter(action="audit.export").latest("id").unit_path == "310120.01"

    xlsx = client.get(reverse("audit-export"), {"format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(xlsx.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert client_for("grid-nq").get(reverse("audit-export")).status_code == 403


def test_a_unit_outside_the_auditors_district_exports_nothing_of_it(client_for):
    audit_record(actor=None, action="test.angsu", unit_path="150623.01.001")
    response = client_for("auditor").get(reverse("audit-export"), {"unit": "150623.01", "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "test.angsu" not in text
