"""Typical cases (S7): the political department marks solved requests for publicity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.limits import text_limit
from linli.needs.models import Request, RequestEvent
from linli.needs.selectors.typical_cases import political_district_paths
from linli.needs.services.requests import _event, _reload, _text, _transition
from linli.org.selectors.units import ReadOnlyAccess

if TYPE_CHECKING:
    from linli.accounts.models import User

_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")

TITLE_MAX = text_limit(Request, "typical_title")
WRITEUP_MAX = text_limit(Request, "typical_writeup")


@transaction.atomic
def request_mark_typical(*, actor: User, request: Request, title: str, writeup: str) -> Request:
    """The political department marks a solved request as a typical case, with a write-up for publicity.

    What is published is the title and write-up only: they may not carry an ID or phone number, nor the
    name of the person who asked.
    """
    if not any(paths.is_within(request.unit_path, d) for d in political_district_paths(user=actor)):
        raise ReadOnlyAccess
    if request.state not in (Request.State.SOLVED, Request.State.CLOSED):
        raise ServiceError("只有已解决的诉求才能列为典型案例", field="state")
    title = _text(title, field="title", what="案例标题", limit=TITLE_MAX)
    writeup = _text(writeup, field="writeup", what="案例材料", limit=WRITEUP_MAX)
    for field, value in (("title", title), ("writeup", writeup)):
        if _ID_NUMBER.search(value) or _PHONE.search(value):
            raise ServiceError("案例材料中不能出现身份证号或电话号码", field=field)
        names = {n for n in (request.caller_name, getattr(request.resident, "name", "")) if n and len(n) >= 2}
        if any(name in value for name in names):
            raise ServiceError("案例材料中不能出现诉求人姓名，请用“某某”代替", field=field)
    request = _reload(request, None)
    _transition(
        request,
        request.state,
        is_typical=True,
        typical_title=title,
        typical_writeup=writeup,
        typical_marked_at=timezone.now(),
    )
    _event(request, RequestEvent.Kind.TYPICAL, actor, note=title)
    return request
