"""Choice fields in the API's schemas: typed with the model's TextChoices, shown as an enum in place.

`status: Annotated[Resident.Status, choice_schema(Resident.Status)]` validates against the model's
choices and appears in the OpenAPI schema as `{"type": "string", "enum": [...]}` written where the
field is, not as a component: enums of different models share class names (`Status`, `Kind`), and
components are keyed by that name, so they would overwrite each other.
"""

from __future__ import annotations

from django.db.models import TextChoices
from pydantic import WithJsonSchema


def choice_schema(choices: type[TextChoices], *, description: str = "") -> WithJsonSchema:
    """The OpenAPI schema of a field typed with `choices`: a string enum of its values."""
    schema: dict[str, object] = {"type": "string", "enum": [str(value) for value in choices.values]}
    if description:
        schema["description"] = description
    return WithJsonSchema(schema)
