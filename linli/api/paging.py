"""The one pager of the API: `Paging` (the query parameters, bounded) and `page_of` (one page of a
queryset). Every list endpoint takes `paging: Query[Paging]` and answers a `Page[ItemOut]`; the test
linli/api/tests/test_paging.py checks that no list endpoint pages by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

MAX_PAGE_SIZE = 200
# Pages beyond this are refused (422): an offset past any real list, yet far inside what databases take.
MAX_PAGE = 100_000

M = TypeVar("M", bound=Model)
ItemOut = TypeVar("ItemOut")


class Paging(Schema):
    page: int = 1
    page_size: int = 50

    @field_validator("page")
    @classmethod
    def _page(cls, value: int) -> int:
        if value < 1:
            raise PydanticCustomError("page", "页码从 1 开始")
        if value > MAX_PAGE:
            raise PydanticCustomError("page", "页码不能超过 {limit}", {"limit": MAX_PAGE})
        return value

    @field_validator("page_size")
    @classmethod
    def _page_size(cls, value: int) -> int:
        if not 1 <= value <= MAX_PAGE_SIZE:
            raise PydanticCustomError("page_size", "每页条数应在 1 到 {limit} 之间", {"limit": MAX_PAGE_SIZE})
        return value


class Page(Schema, Generic[ItemOut]):
    """One page of a list: the total count, where the page is, and its items."""

    count: int
    page: int
    page_size: int
    items: list[ItemOut]


def page_of(queryset: QuerySet[M], paging: Paging, out: Callable[[M], Any] | None = None) -> dict[str, Any]:
    """The page `paging` asks for. Items are the model objects themselves (their output schema reads
    them, `from_attributes`), or `out(obj)` where an answer needs more than the object holds."""
    start = (paging.page - 1) * paging.page_size
    rows = list(queryset[start : start + paging.page_size])
    return {
        "count": queryset.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": rows if out is None else [out(row) for row in rows],
    }
