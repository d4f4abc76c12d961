"""The demo gives every persona on the ladder something in its queue."""

from __future__ import annotations

import pytest

from linli.demo.needs import load_needs_demo
from linli.needs.models import Request, RequestEvent
from linli.needs.selectors.requests import request_queue
from linli.needs.selectors.typical_cases import typical_candidates

pytestmark = pytest.mark.django_db


def test_demo_requests_fill_the_queues(persona):
    assert load_needs_demo() == {"群众诉求": 11}
    assert load_needs_demo() == {}
    assert Request.objects.count() == 11

    def queue(username: str, name: str) -> list[Request]:
        return list(request_queue(user=persona(username), queue=name))

    assert len(queue("grid-nq", "new")) >= 2
    assert len(queue("grid-nq", "mine")) == 1
    assert len(queue("grid-nq", "overdue")) == 1
    assert len(queue("officer-nq", "escalated")) == 1
    assert len(queue("zhian", "escalated")) == 1
    assert len(queue("jingzhen", "escalated")) == 1
    assert queue("touqiao", "escalated") == []
    assert len(queue("squad-nq", "solved")) == 1
    assert [r.typical_title for r in typical_candidates(user=persona("zhengzhi")) if r.is_typical] == [
        "家庭医生当天上门换药"
    ]
    closed = Request.objects.filter(state=Request.State.CLOSED)
    assert sorted(s or 0 for s in closed.values_list("satisfaction", flat=True)) == [4, 5]
    assert RequestEvent.objects.filter(kind=RequestEvent.Kind.ESCALATED).count() == 7
