"""The departments endpoint: departments and the stations they liaise with."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from linli.api.schemas import UnitRef
from linli.org.models import Unit
from linli.org.selectors.departments import departments_visible_to

router = Router()


class DepartmentOut(Schema):
    code: str
    name: str
    liaison_stations: list[UnitRef]

    @staticmethod
    def resolve_liaison_stations(department: Unit) -> list[Unit]:
        # The selector prefetches the links with their stations: no query per department.
        return [link.station for link in department.liaison_links.all()]


@router.get("/departments", response=list[DepartmentOut])
def departments(request: HttpRequest) -> QuerySet[Unit]:
    """Departments the user may see, each with the stations it liaises with."""
    return departments_visible_to(user=request.user)
