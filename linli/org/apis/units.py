"""The units endpoints: the top of the user's scope, a unit's children, one unit's page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema

from linli.api.schemas import UnitRef, choices_of
from linli.org.models import SupportPoint, Unit
from linli.org.selectors.departments import liaison_departments_of
from linli.org.selectors.support_points import support_points_of
from linli.org.selectors.units import (
    ancestors_of,
    children_visible_to,
    get_unit_for_user,
    top_units_visible_to,
)

if TYPE_CHECKING:
    from linli.accounts.models import User

router = Router()


class UnitOut(Schema):
    code: str
    name: str
    kind: Annotated[Unit.Kind, choices_of(Unit.Kind)]
    level_label: str
    depth: int
    parent_code: str | None
    # Present where the selector counted them (a list of children), absent on a unit's own page.
    child_count: int | None = None
    grid_count: int | None = None

    @staticmethod
    def resolve_parent_code(unit: Unit) -> str | None:
        return unit.parent.code if unit.parent_id and unit.parent else None


class PersonRef(Schema):
    name: str
    phone: str

    @staticmethod
    def resolve_name(person: User) -> str:
        return str(person)


class SupportPointOut(Schema):
    id: int
    kind: Annotated[SupportPoint.Kind, choices_of(SupportPoint.Kind)]
    kind_label: str = Field(alias="get_kind_display")
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

    @staticmethod
    def resolve_ancestors(unit: Unit) -> list[Unit]:
        return ancestors_of(unit=unit)

    @staticmethod
    def resolve_support_points(unit: Unit) -> list[SupportPoint]:
        return list(support_points_of(unit=unit)[:500])

    @staticmethod
    def resolve_liaison_departments(unit: Unit) -> list[Unit]:
        return list(liaison_departments_of(unit=unit))

    @staticmethod
    def resolve_liaison_stations(unit: Unit) -> list[Unit]:
        links = unit.liaison_links.select_related("station").order_by("station__sort_order")
        return [link.station for link in links]


@router.get("/units", response=list[UnitOut])
def units(request: HttpRequest, parent: str | None = None) -> QuerySet[Unit]:
    """Without `parent`, the units at the top of the user's scope; with it, that unit's children."""
    if parent is None:
        return top_units_visible_to(user=request.user).select_related("parent")
    unit = get_unit_for_user(request.user, parent)
    return children_visible_to(user=request.user, unit=unit).select_related("parent")


@router.get("/units/{code}", response=UnitDetailOut)
def unit_detail(request: HttpRequest, code: str) -> Unit:
    return get_unit_for_user(request.user, code)
