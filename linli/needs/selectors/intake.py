"""Reads of the public grid intake page (/g/<grid>/ask)."""

from __future__ import annotations

from django.http import Http404

from linli.org.models import Unit


def public_grid(code: str) -> Unit:
    """The grid of a public intake page: any other unit, or an inactive grid, is "not found"."""
    unit = (
        Unit.objects.filter(code=code, kind=Unit.Kind.GRID, is_active=True).select_related("parent").first()
    )
    if unit is None:
        raise Http404
    return unit
