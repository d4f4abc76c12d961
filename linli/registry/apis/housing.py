"""The /api/v1/ housing endpoints: scoped like the pages, owners' phones masked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from linli.api.paging import Paging
from linli.core.masking import mask_phone
from linli.registry.apis.residents import _page
from linli.registry.models import Housing
from linli.registry.selectors.housing import housing_visible_to

router = Router(tags=["一标三实"])


class HousingOut(Schema):
    id: int
    address_id: int
    address: str
    usage: str
    usage_label: str
    owner_name: str
    owner_phone: str
    tenant_count: int | None
    unit_path: str


class HousingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HousingOut]


def _housing_out(housing: Housing) -> dict[str, Any]:
    return {
        "id": housing.pk,
        "address_id": housing.address_id,
        "address": str(housing.address),
        "usage": housing.usage,
        "usage_label": housing.get_usage_display(),
        "owner_name": housing.owner_name,
        "owner_phone": mask_phone(housing.owner_phone),
        "tenant_count": housing.tenant_count,
        "unit_path": housing.unit_path,
    }


@router.get("/housing", response=HousingPage)
def housing(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Actual housing in scope; owners' phones masked."""
    return _page(housing_visible_to(user=request.user), paging, _housing_out)
