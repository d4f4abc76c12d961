"""Units as the request pages find them: by path, and a grid's community (names: `Unit.place_name`)."""

from __future__ import annotations

from linli.org.models import Unit


def unit_at(path: str) -> Unit | None:
    return Unit.objects.filter(path=path).first()


def community_of(unit: Unit) -> Unit:
    """A grid's community (select_related("unit__parent") keeps this free); a community itself."""
    return unit.parent if unit.kind == Unit.Kind.GRID and unit.parent is not None else unit
