from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class UnitRef(Schema):
    code: str
    name: str


class ProblemOut(Schema):
    """A 422 answer: the Chinese summary and one entry per field that was wrong."""

    detail: str
    errors: list[dict[str, Any]]
