"""The /api/v1/ contact worklist: who must be contacted by a day."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.api.paging import Paging, page_of
from linli.audit.services.reads import audit_read
from linli.care.apis.key_persons import KeyPersonPage, answer_on
from linli.care.selectors.worklists import contacts_due
from linli.core.users import signed_in
from linli.org.selectors.units import get_area_for_user

router = Router()


class WorklistFilters(Schema):
    mine: bool = False
    unit: str = ""
    on: str = ""

    @field_validator("on")
    @classmethod
    def _on(cls, value: str) -> str:
        if value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError("on", "日期格式应为 YYYY-MM-DD") from None
        return value


@router.get("/worklists/contacts-due", response=KeyPersonPage)
def worklist_contacts_due(
    request: HttpRequest, filters: Query[WorklistFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Who must be contacted by `on` (default today): emergencies first, then most overdue, then risk.

    `mine=true` narrows to the caller's own people, `unit` to a grid, community or station.
    """
    user = signed_in(request.user)
    unit = get_area_for_user(user, filters.unit) if filters.unit else None
    on = datetime.date.fromisoformat(filters.on) if filters.on else timezone.localdate()
    queryset = contacts_due(user=user, on=on, unit=unit, mine=filters.mine)
    audit_read(user=user, action="key_person.list", unit_path=unit.path if unit else None,
               detail={"list": "today" if filters.mine else "", "page": paging.page})  # fmt: skip
    answer_on(request, on)
    return page_of(queryset.prefetch_related("categories"), paging)
