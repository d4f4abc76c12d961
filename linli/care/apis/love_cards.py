"""The love card's public view (C6): no login; the same page data a finder sees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from linli.care.services.love_cards import love_card_scan

router = Router()


class GuardianPhoneOut(Schema):
    relation: str
    phone: str


class FinderOut(Schema):
    given_name: str
    guardian_phones: list[GuardianPhoneOut]
    station_name: str
    station_phone: str


@router.get("/love-cards/{token}", auth=None, response=FinderOut)
def love_card_public(request: HttpRequest, token: str) -> dict[str, Any]:
    """What a finder's app sees for a card's token; the scan is logged and alerts like the page."""
    view = love_card_scan(
        token=token,
        client_address=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return {
        "given_name": view.given_name,
        "guardian_phones": [{"relation": r, "phone": p} for r, p in view.guardian_phones],
        "station_name": view.station_name,
        "station_phone": view.station_phone,
    }
