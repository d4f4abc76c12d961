"""`linli tick` runs the deadline worker: a request past its deadline escalates, once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.conftest import TQ_GRID
from linli.core.management.commands import tick
from linli.needs.models import Channel, Request, RequestCategory
from linli.needs.services.requests import request_file
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_tick_escalates_what_passed_its_deadline(persona, monkeypatch):
    request = request_file(
        actor=persona("grid-tq"),
        category=RequestCategory.objects.get(code="other"),
        channel=Channel.PHONE,
        text="路灯不亮",
        unit=Unit.objects.get(path=TQ_GRID),
        caller_phone="13900002222",
    )
    Request.objects.filter(pk=request.pk).update(deadline_at=timezone.now() - datetime.timedelta(minutes=5))
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "超时诉求自动上报 1" in out.getvalue()
    request.refresh_from_db()
    assert request.holder_path == "310120.09.001" and request.escalations == 1
    call_command("tick", stdout=io.StringIO())
    request.refresh_from_db()
    assert request.escalations == 1


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    from linli.core import ticks

    monkeypatch.setattr(ticks, "_jobs", [ticks.TickJob("坏的", _boom), *ticks.tick_jobs()])
    done = tick.run_jobs()
    assert done["坏的"] == -1
    assert done["超时诉求自动上报"] == 0


def _boom() -> int:
    raise RuntimeError("boom")
