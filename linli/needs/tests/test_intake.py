"""The public intake's limits are rows claimed atomically in the database (needs.services.intake), not
entries in a file cache; the concurrent burst is in linli/core/tests/test_public_races.py."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from linli.conftest import NQ_GRID
from linli.core.errors import ServiceError
from linli.needs.models import IntakeAnsweredQuestion, IntakeFilingCount, Request, RequestCategory
from linli.needs.services.intake import FILINGS_PER_HOUR, challenge_new


def _ask(**extra: Any) -> dict[str, Any]:
    challenge = challenge_new(now=time.time() - 10)
    a, b = (int(n) for n in re.findall(r"\d+", challenge.question))
    data = {
        "category": RequestCategory.objects.get(code="dispute").pk,
        "text": "楼上每天半夜噪音很大",
        "caller_name": "",
        "caller_phone": "13700001234",
        "place_text": "",
        "website": "",
        "challenge": challenge.token,
        "answer": str(a + b),
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_filing_the_service_refuses_gives_its_slot_and_its_question_back(monkeypatch):
    from linli.needs.views import intake

    def refuse(**kwargs: Any) -> None:
        raise ServiceError("该诉求类别已停用", field="category")

    client = Client(REMOTE_ADDR="203.0.113.9")
    data = _ask()
    with monkeypatch.context() as patch:
        patch.setattr(intake, "request_file", refuse)
        response = client.post(f"/g/{NQ_GRID}/ask", data)
    assert response.status_code == 400
    assert "该诉求类别已停用" in response.content.decode()
    assert not IntakeFilingCount.objects.filter(count__gt=0).exists()
    assert not IntakeAnsweredQuestion.objects.exists()
    # The same answer files once the service accepts it.
    assert client.post(f"/g/{NQ_GRID}/ask", data).status_code == 200
    assert Request.objects.count() == 1


@pytest.mark.django_db
def test_addresses_of_one_ipv6_network_share_a_limit():
    for n in range(FILINGS_PER_HOUR):
        client = Client(REMOTE_ADDR=f"2001:db8:5:7::{n + 1:x}")
        assert client.post(f"/g/{NQ_GRID}/ask", _ask()).status_code == 200
    response = Client(REMOTE_ADDR="2001:db8:5:7:ffff::1").post(f"/g/{NQ_GRID}/ask", _ask())
    assert response.status_code == 400
    assert "每小时最多提交5条诉求" in response.content.decode()
    assert Client(REMOTE_ADDR="2001:db8:5:8::1").post(f"/g/{NQ_GRID}/ask", _ask()).status_code == 200


@pytest.mark.django_db
def test_tick_deletes_counts_of_past_hours_and_expired_questions():
    now = timezone.now()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    IntakeFilingCount.objects.create(address="203.0.113.1", hour=this_hour, count=5)
    IntakeFilingCount.objects.create(
        address="203.0.113.1", hour=this_hour - datetime.timedelta(hours=1), count=5
    )
    IntakeAnsweredQuestion.objects.create(nonce="live", expires_at=now + datetime.timedelta(minutes=5))
    IntakeAnsweredQuestion.objects.create(nonce="old", expires_at=now - datetime.timedelta(minutes=5))
    call_command("tick", verbosity=0)
    assert list(IntakeFilingCount.objects.values_list("hour", flat=True)) == [this_hour]
    assert list(IntakeAnsweredQuestion.objects.values_list("nonce", flat=True)) == ["live"]
