"""The 一标三实 collection rate of a unit and of each unit under it (R6)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.org.models import Unit
from linli.registry.selectors.addresses import address_reviews_pending_for


@login_required
def registry_unit(request: HttpRequest, code: str) -> HttpResponse:
    """The collection rate of a unit and of each unit under it (R6)."""
    from linli.org.selectors.units import get_unit_for_user
    from linli.registry.selectors.indicators import collection_rates

    unit = get_unit_for_user(request.user, code)
    if not scope_for(request.user).covers(unit.path):
        # A department sees the unit's structure, not its population.
        raise PermissionDenied
    children = list(Unit.objects.filter(parent=unit, is_active=True).exclude(kind=Unit.Kind.DEPARTMENT))
    (total,) = collection_rates(units=[unit])
    context = {
        "unit": unit,
        "total": total,
        "rows": collection_rates(units=children),
        "pending_reviews": address_reviews_pending_for(user=request.user)
        .filter(paths.subtree_q("unit_path", unit.path))
        .count(),
    }
    return render(request, "registry/registry_unit.html", context)
