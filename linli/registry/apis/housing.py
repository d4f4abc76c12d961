"""The /api/v1/ housing endpoints: scoped like the pages, owners' phones masked."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import choices_of
from linli.core.masking import mask_phone
from linli.registry.models import Housing
from linli.registry.selectors.housing import housing_visible_to

router = Router(tags=["一标三实"])


class HousingOut(Schema):
    id: int
    address_id: int
    address: str = Field(alias="address.full_text")
    usage: Annotated[Housing.Usage, choices_of(Housing.Usage)]
    usage_label: str = Field(alias="get_usage_display")
    owner_name: str
    owner_phone: str
    tenant_count: int | None
    unit_path: str

    @staticmethod
    def resolve_owner_phone(housing: Housing) -> str:
        return mask_phone(housing.owner_phone)


class HousingPage(Page[HousingOut]):
    pass


@router.get("/housing", response=HousingPage)
def housing(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Actual housing in scope; owners' phones masked."""
    return page_of(housing_visible_to(user=request.user), paging)
