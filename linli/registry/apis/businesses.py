"""The /api/v1/ business endpoints: scoped like the pages, contact phones masked."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import choices_of
from linli.core.masking import mask_phone
from linli.registry.models import Business
from linli.registry.selectors.businesses import businesses_visible_to

router = Router(tags=["一标三实"])


class BusinessOut(Schema):
    id: int
    name: str
    kind: Annotated[Business.Kind, choices_of(Business.Kind)]
    kind_label: str = Field(alias="get_kind_display")
    credit_code: str | None
    address_id: int | None
    address: str
    contact_name: str
    contact_phone: str
    unit_path: str

    @staticmethod
    def resolve_address(business: Business) -> str:
        return str(business.address) if business.address_id and business.address else ""

    @staticmethod
    def resolve_contact_phone(business: Business) -> str:
        return mask_phone(business.contact_phone)


class BusinessPage(Page[BusinessOut]):
    pass


@router.get("/businesses", response=BusinessPage)
def businesses(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Actual businesses in scope; contact phones masked."""
    return page_of(businesses_visible_to(user=request.user), paging)
