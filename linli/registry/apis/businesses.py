"""The /api/v1/ business endpoints: scoped like the pages, contact phones masked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from linli.api.paging import Paging
from linli.core.masking import mask_phone
from linli.registry.apis.residents import _page
from linli.registry.models import Business
from linli.registry.selectors.businesses import businesses_visible_to

router = Router(tags=["一标三实"])


class BusinessOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    credit_code: str | None
    address_id: int | None
    address: str
    contact_name: str
    contact_phone: str
    unit_path: str


class BusinessPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BusinessOut]


def _business_out(business: Business) -> dict[str, Any]:
    return {
        "id": business.pk,
        "name": business.name,
        "kind": business.kind,
        "kind_label": business.get_kind_display(),
        "credit_code": business.credit_code,
        "address_id": business.address_id,
        "address": str(business.address) if business.address_id and business.address else "",
        "contact_name": business.contact_name,
        "contact_phone": mask_phone(business.contact_phone),
        "unit_path": business.unit_path,
    }


@router.get("/businesses", response=BusinessPage)
def businesses(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Actual businesses in scope; contact phones masked."""
    return _page(businesses_visible_to(user=request.user), paging, _business_out)
