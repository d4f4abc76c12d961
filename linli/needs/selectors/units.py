"""Units as the request pages name them: by path, a grid's community, a grid's label with its community."""

from __future__ import annotations

from linli.org.models import Unit


def unit_at(path: str) -> Unit | None:
    return Unit.objects.filter(path=path).first()


def community_of(unit: Unit) -> Unit:
    """A grid's community (select_related("unit__parent") keeps this free); a community itself."""
    return unit.parent if unit.kind == Unit.Kind.GRID and unit.parent is not None else unit


def unit_label(unit: Unit) -> str:
    """A grid's name with its community's (there is a 第一网格 in every community)."""
    if unit.kind == Unit.Kind.GRID and unit.parent is not None:
        return f"{unit.parent.name}{unit.name}"
    return unit.name
