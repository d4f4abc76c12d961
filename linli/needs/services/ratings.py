"""The resident's rating of a solved request through the link sent to them (no account)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.needs.models import Request, RequestEvent
from linli.needs.services.requests import COMMENT_MAX, _event, _satisfaction, _text, _transition


@transaction.atomic
def request_rate_by_link(*, token: str, satisfaction: Any, comment: str = "") -> Request:
    """The resident rates through the link sent to them; the link works once."""
    request = (
        Request.objects.filter(rating_token=token, state=Request.State.SOLVED).first() if token else None
    )
    if request is None:
        raise ServiceError("评价链接无效或已使用", field="token")
    score = _satisfaction(satisfaction)
    comment = _text(comment, field="comment", what="评价意见", required=False, limit=COMMENT_MAX)
    _transition(
        request,
        Request.State.SOLVED,
        state=Request.State.CLOSED,
        closed_at=timezone.now(),
        satisfaction=score,
        satisfaction_comment=comment,
        feedback_method=Request.FeedbackMethod.LINK,
        rating_token=None,
    )
    _event(
        request,
        RequestEvent.Kind.CLOSED,
        None,
        note=comment,
        data={"satisfaction": score, "method": Request.FeedbackMethod.LINK},
        actor_name="诉求人",
    )
    return request
