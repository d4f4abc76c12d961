"""Permission-bearing reads of actual housing."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.registry.models import Housing


def housing_visible_to(*, user: Any) -> QuerySet[Housing]:
    scope = scope_for(user)
    return (
        Housing.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))
        .select_related("address")
        .order_by("unit_path", "address__key")
    )
