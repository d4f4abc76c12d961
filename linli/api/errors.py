"""One error body for the whole API, and one place that turns a service's refusal into it.

Every refusal is `{"detail": <Chinese summary>, "errors": [{"loc": [...], "msg": <Chinese>}]}`
(`ProblemOut`). A `ServiceError` raised by a service under an endpoint becomes a 422 with that body
through the handler `linli.api.main.new_api` registers; a subclass may say another status
(`status = 409` for a change that lost a race). Endpoints do not catch `ServiceError` themselves.
"""

from __future__ import annotations

from typing import Any

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
