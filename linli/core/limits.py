"""Text limits: each declared once (a model field's `max_length`, or one constant beside the model) and
refused in the same words by a page form, an API schema, a service and an import.

The words are those of the API's `string_too_long` (`linli.api.main`), so a name too long for the
table reads the same whichever way it came in; nothing is cut short silently.
"""

from __future__ import annotations

from django.db.models import Model


def max_length(model: type[Model], field: str) -> int:
    """The `max_length` of `model.field`: the one declaration of that text's limit."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if not isinstance(limit, int):
        raise TypeError(f"{model.__name__}.{field} has no max_length")
    return limit


def too_long(limit: int) -> str:
    """The refusal of a text longer than `limit` characters."""
    return f"不能超过 {limit} 个字"
