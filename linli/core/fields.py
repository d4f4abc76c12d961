from __future__ import annotations

from typing import Any

from django.db import models


class PathField(models.CharField):  # type: ignore[type-arg]  # generic only in the stubs
    """A materialised unit path. Byte-order collation on PostgreSQL so that subtree ranges hold."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
