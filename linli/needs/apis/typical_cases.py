"""The /api/v1/ typical-case endpoints: the political department sees solved requests only through
/requests/typical, without caller data, and marks typical cases."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import ProblemOut
from linli.core.users import signed_in
from linli.needs.apis.requests import limited
from linli.needs.models import Request
from linli.needs.selectors.requests import get_request_for_user
from linli.needs.selectors.typical_cases import (
    get_typical_candidate,
    political_district_paths,
    typical_candidates,
)
from linli.needs.services import typical_cases as services

router = Router(tags=["群众诉求"])


class TypicalOut(Schema):
    """A solved request as the political department sees it: no caller, no request text."""

    id: int
    category: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    unit_name: str = Field(alias="unit.name")
    solution: str
    created_at: datetime.datetime
    solved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    is_typical: bool
    typical_title: str
    typical_writeup: str


class TypicalPage(Page[TypicalOut]):
    pass


class TypicalIn(Schema):
    title: Annotated[str, limited(services.TITLE_MAX)] = ""
    writeup: Annotated[str, limited(services.WRITEUP_MAX)] = ""


@router.get("/requests/typical", response=TypicalPage)
def typical_list(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Solved and closed requests of the district, for the political department to pick typical cases.

    Only the category, the unit, the solution and the dates: no caller, no request text. 403 for others.
    """
    user = signed_in(request.user)
    if not political_district_paths(user=user):
        raise PermissionDenied
    return page_of(typical_candidates(user=user), paging)


@router.post("/requests/{request_id}/typical", response={200: TypicalOut, 422: ProblemOut})
def request_mark_typical(request: HttpRequest, request_id: int, body: TypicalIn) -> Request:
    """The political department marks a solved request as a typical case, with a title and write-up.

    Others get 403 on a request they see, 404 otherwise.
    """
    user = signed_in(request.user)
    if not political_district_paths(user=user):
        get_request_for_user(user, request_id)
        raise PermissionDenied
    found = get_typical_candidate(user, request_id)
    return services.request_mark_typical(actor=user, request=found, title=body.title, writeup=body.writeup)
