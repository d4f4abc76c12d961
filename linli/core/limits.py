"""Text limits: each declared once (a model field's `max_length`, or one constant beside the model) and
refused in the same words by a page form, an API schema, a service and an import.

The words are those of the API's `string_too_long` (`linli.api.main`), so a name too long for the
table reads the same whichever way it came in; nothing is cut short silently.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
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


def form_limit(model: type[Model], field: str) -> dict[str, Any]:
    """A page form's text field arguments for `model.field`: its limit and the refusal's words.

    `forms.CharField(label=..., **form_limit(SupportPoint, "name"))`."""
    limit = max_length(model, field)
    return {"max_length": limit, "error_messages": {"max_length": too_long(limit)}}


def validation_message(exc: ValidationError) -> str:
    """The messages of a model's `full_clean` for a service's refusal; a text too long for its column
    is refused in the words of `too_long`, as the form and the API refuse it."""
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    messages = []
    for field_errors in errors:
        for error in field_errors:
            if error.code == "max_length" and error.params:
                messages.append(too_long(int(error.params["limit_value"])))
            else:
                messages.extend(error.messages)
    return "；".join(messages)
