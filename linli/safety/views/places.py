"""How the dispute and hazard pages name the grids and communities they show and offer."""

from __future__ import annotations

from linli.org.models import Unit
from linli.safety.selectors.places import unit_names


def place_choices(places: list[Unit]) -> list[tuple[str, str]]:
    return [(u.code, u.place_name) for u in places]


def labels_for(unit_paths: set[str]) -> dict[str, str]:
    return {path: u.place_name for path, u in unit_names(unit_paths).items()}
