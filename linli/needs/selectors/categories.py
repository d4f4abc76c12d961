"""Reads of request categories: the ones new requests may be filed in."""

from __future__ import annotations

from linli.needs.models import RequestCategory


def active_categories() -> list[RequestCategory]:
    return list(RequestCategory.objects.filter(is_active=True).order_by("sort_order", "id"))


def active_category(code: str) -> RequestCategory | None:
    """A category new requests may be filed in; None when unknown or switched off."""
    return RequestCategory.objects.filter(code=code, is_active=True).first()
