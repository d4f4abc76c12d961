"""The units endpoints: the top of the user's scope, a unit's children, one unit's page."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from linli.api.schemas import UnitRef
from linli.org.models import Unit
from linli.org.selectors.departments import liaison_departments_of
from linli.org.selectors.support_points import support_points_of
from linli.org.selectors.units import (
    ancestors_of,
    children_visible_to,
    get_unit_for_user,
    top_units_visible_to,
)

router = Router()


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level_label: str
    depth: int
    parent_code: str | None
    child_count: int | None = None
    grid_count: int | None = None


class PersonRef(Schema):
    name: str
    phone: str


class SupportPointOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    unit: UnitRef
    address: str
    phone: str
    opening_hours: str


class UnitDetailOut(UnitOut):
    phone: str
    address: str
    responsible: PersonRef | None
    ancestors: list[UnitRef]
    support_points: list[SupportPointOut]
    liaison_departments: list[UnitRef]
    liaison_stations: list[UnitRef]


def _unit_out(unit: Unit) -> dict[str, object]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "level_label": unit.level_label,
        "depth": unit.depth,
        "parent_code": unit.parent.code if unit.parent_id and unit.parent else None,
        "child_count": getattr(unit, "child_count", None),
        "grid_count": getattr(unit, "grid_count", None),
    }


@router.get("/units", response=list[UnitOut])
def units(request: HttpRequest, parent: str | None = None) -> list[dict[str, object]]:
    """Without `parent`, the units at the top of the user's scope; with it, that unit's children."""
    if parent is None:
        rows = top_units_visible_to(user=request.user).select_related("parent")
    else:
        unit = get_unit_for_user(request.user, parent)
        rows = children_visible_to(user=request.user, unit=unit).select_related("parent")
    return [_unit_out(u) for u in rows]


@router.get("/units/{code}", response=UnitDetailOut)
def unit_detail(request: HttpRequest, code: str) -> dict[str, object]:
    unit = get_unit_for_user(request.user, code)
    responsible = unit.responsible
    return {
        **_unit_out(unit),
        "phone": unit.phone,
        "address": unit.address,
        "responsible": {"name": str(responsible), "phone": responsible.phone} if responsible else None,
        "ancestors": [{"code": a.code, "name": a.name} for a in ancestors_of(unit=unit)],
        "support_points": [
            {
                "id": p.pk,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "name": p.name,
                "unit": {"code": p.unit.code, "name": p.unit.name},
                "address": p.address,
                "phone": p.phone,
                "opening_hours": p.opening_hours,
            }
            for p in support_points_of(unit=unit)[:500]
        ],
        "liaison_departments": [{"code": d.code, "name": d.name} for d in liaison_departments_of(unit=unit)],
        "liaison_stations": [
            {"code": link.station.code, "name": link.station.name}
            for link in unit.liaison_links.select_related("station").order_by("station__sort_order")
        ],
    }
