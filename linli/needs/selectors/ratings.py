"""Reads of the resident's rating link: the solved request a link belongs to."""

from __future__ import annotations

import re

from linli.needs.models import Request

_RATING_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def request_for_rating(token: str) -> Request | None:
    """The solved request a rating link belongs to; None for an unknown, used or malformed link."""
    if not _RATING_TOKEN.match(token):
        return None
    return (
        Request.objects.select_related("category")
        .filter(rating_token=token, state=Request.State.SOLVED)
        .first()
    )
