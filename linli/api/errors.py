"""One error body for the whole API, and one place that turns a service's refusal into it.

Every refusal is `{"detail": <Chinese summary>, "errors": [{"loc": [...], "msg": <Chinese>}]}`
(`ProblemOut`). A `ServiceError` raised by a service under an endpoint becomes a 422 with that body
through the handler `linli.api.main.new_api` registers; a subclass may say another status
(`status = 409` for a change that lost a race). Endpoints do not catch `ServiceError` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from linli.core.errors import ServiceError

# A service names the object it refused by its own argument (`resident`); the API's bodies name it by
# its id field. The one mapping for every endpoint.
BODY_FIELDS = {
    "resident": "resident_id",
    "address": "address_id",
    "responsible": "responsible_id",
    "backup": "backup_id",
}


def problem_body(message: str, *, field: str | None = None, where: str = "body") -> dict[str, Any]:
    """The error body for one message, about `field` of the request's `where` (body, query or path)."""
    name = BODY_FIELDS.get(field, field) if field and where == "body" else field
    error = {"loc": [where, name] if name else [where], "msg": message}
    return {"detail": message, "errors": [error]}


def status_of(exc: ServiceError) -> int:
    return int(getattr(exc, "status", 422))


def service_error_body(exc: ServiceError) -> dict[str, Any]:
    return problem_body(exc.message, field=exc.field)


class OneOf:
    """A text field whose value is one of `choices` (a TextChoices' `.choices`, or (value, label) pairs):
    an enum in the OpenAPI schema, and a wrong value refused in Chinese, naming the choices:
    `kind: Annotated[str, OneOf("纠纷类型", Dispute.Kind.choices)]`. `blank` also lets "" through (a
    filter left empty)."""

    def __init__(self, label: str, choices: Iterable[tuple[Any, Any]], *, blank: bool = False) -> None:
        pairs = [(str(value), str(name)) for value, name in choices]
        self.values = [value for value, _ in pairs]
        self.blank = blank
        listed = [f"{value}（{name}）" for value, name in pairs]
        joined = "、".join(listed[:-1]) + f"或 {listed[-1]}" if len(listed) > 1 else listed[0]
        self.message = f"{label}应为 {joined}"

    def _check(self, value: str) -> str:
        if value in self.values or (self.blank and value == ""):
            return value
        raise PydanticCustomError("enum", self.message)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "enum": self.values}
