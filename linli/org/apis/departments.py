"""The departments endpoint: departments and the stations they liaise with."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from linli.api.schemas import UnitRef
from linli.org.selectors.departments import departments_visible_to

router = Router()


class DepartmentOut(Schema):
    code: str
    name: str
    liaison_stations: list[UnitRef]


@router.get("/departments", response=list[DepartmentOut])
def departments(request: HttpRequest) -> list[dict[str, object]]:
    """Departments the user may see, each with the stations it liaises with."""
    return [
        {
            "code": d.code,
            "name": d.name,
            "liaison_stations": [
                {"code": link.station.code, "name": link.station.name} for link in d.liaison_links.all()
            ],
        }
        for d in departments_visible_to(user=request.user)
    ]
