from __future__ import annotations

from typing import Any

from django.db.models import Model, TextChoices
from ninja import Schema
from pydantic import ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from linli.core.limits import text_limit, too_long


class ErrorOut(Schema):
    detail: str


class UnitRef(Schema):
    code: str
    name: str


class ProblemOut(Schema):
    """A 422 answer: the Chinese summary and one entry per field that was wrong."""

    detail: str
    errors: list[dict[str, Any]]


def text_limits(model: type[Model], *fields: str, **renamed: str) -> Any:
    """The validator of an input schema's text fields: each is stripped and refused beyond the limit of
    the model field of the same name, or of the one `renamed` names (`reason="close_reason"`), with the
    message pages and services give (`linli.core.limits`). Assign it in the schema's body:
    `_texts = text_limits(Contact, "outcome", "needs_found")`."""
    model_field = {name: name for name in fields} | renamed

    def check(cls: Any, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        limit = text_limit(model, model_field[str(info.field_name)])
        if len(value) > limit:
            raise PydanticCustomError("too_long", too_long(limit))
        return value

    return field_validator(*model_field)(check)


def choices_of(choices: type[TextChoices]) -> WithJsonSchema:
    """The schema of a text field whose values are a model's choices: an enum written in the field, so
    that choices of the same class name (`Contact.Kind`, `Sweep.Kind`) never share one component. Use as
    `kind: Annotated[str, choices_of(Contact.Kind)]` (a validator or the service refuses other values in
    Chinese) or `status: Annotated[Resident.Status, choices_of(Resident.Status)]` (pydantic does)."""
    return WithJsonSchema({"type": "string", "enum": [str(value) for value in choices.values]})
