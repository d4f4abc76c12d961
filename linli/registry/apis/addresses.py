"""The /api/v1/ standard address endpoints, scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from linli.api.paging import Page, Paging, page_of
from linli.registry.selectors.addresses import addresses_visible_to

router = Router(tags=["一标三实"])


class AddressOut(Schema):
    id: int
    code: str
    full_text: str
    locality: str
    lane: str
    number: str
    building: str
    unit_no: str
    room: str
    unit_path: str


class AddressPage(Page[AddressOut]):
    pass


@router.get("/addresses", response=AddressPage)
def addresses(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return page_of(addresses_visible_to(user=request.user).order_by("unit_path", "key"), paging)
