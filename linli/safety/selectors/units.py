"""The units whose disputes and hazards a user reads: 404 outside scope, 403 where they only read."""

from __future__ import annotations

from django.db.models import QuerySet

from linli.accounts.models import User
from linli.accounts.selectors.scope import scope_for
from linli.org.models import Unit


def safety_units_of(*, user: User) -> QuerySet[Unit]:
    """The units at the top of the user's geographic scope: where their safety pages start."""
    roots = scope_for(user).full_roots
    return Unit.objects.filter(path__in=roots, is_active=True).select_related("scheme").order_by("path")
