"""The /api/v1/ standard address endpoints, scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from linli.api.paging import Paging
from linli.registry.apis.residents import _page
from linli.registry.models import Address
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


class AddressPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AddressOut]


def _address_out(address: Address) -> dict[str, Any]:
    fields = ("id", "code", "full_text", "locality", "lane", "number", "building", "unit_no", "room")
    return {**{f: getattr(address, f) for f in fields}, "unit_path": address.unit_path}


@router.get("/addresses", response=AddressPage)
def addresses(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return _page(addresses_visible_to(user=request.user).order_by("unit_path", "key"), paging, _address_out)
