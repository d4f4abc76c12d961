"""Text limits, declared once: a model field's `max_length` is the rule.

Page forms, API schemas and services read the limit from the field and refuse longer text with the same
message (`too_long`); nothing truncates what a person typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model

from linli.core.errors import ServiceError


def text_limit(model: type[Model], field: str) -> int:
    """The `max_length` of a text field of `model`."""
    limit = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    if limit is None:
        raise TypeError(f"{model.__name__}.{field} has no max_length")
    return int(limit)


def too_long(limit: int, label: str = "") -> str:
    """What a page, the API and a service say of text longer than `limit` ("纠纷概况最多 1000 字", or
    "最多 500 字" where the field's place on the page already names it)."""
    return f"{label}最多 {limit} 字"


def limited_text(value: str, model: type[Model], field: str, *, name: str | None = None) -> str:
    """`value` stripped, for a service to store in `model.field`; a `ServiceError` about `name` (default
    `field`) when it is longer than the field holds."""
    value = value.strip()
    limit = text_limit(model, field)
    if len(value) > limit:
        raise ServiceError(too_long(limit), field=name or field)
    return value


def limited_char_field(model: type[Model], field: str, **kwargs: Any) -> forms.CharField:
    """A form field for `model.field`: stripped, refused beyond its limit with `too_long`."""
    limit = text_limit(model, field)
    kwargs.setdefault("required", False)
    return forms.CharField(max_length=limit, error_messages={"max_length": too_long(limit)}, **kwargs)


def form_limit(model: type[Model], field: str) -> dict[str, Any]:
    """A page form's text field arguments for `model.field`: its limit and the refusal's words.

    `forms.CharField(label=..., **form_limit(SupportPoint, "name"))`."""
    limit = text_limit(model, field)
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
