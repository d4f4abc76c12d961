"""The escalation ladder (S3): grid → community → station/town → its liaison department(s) → district.

A station's unsolved problems go to the department that liaises with it (seed 000: 头桥's to 经侦支队,
南桥's to 治安支队); a station with several liaison departments passes a request through each, in their
order, before the district office. Above the district there is no unit: what the district cannot solve
is handed to the competent outside body (a hand-off, recorded on the timeline).
"""

from __future__ import annotations

from linli.core import paths
from linli.org.models import Liaison, Unit


def station_of(unit_path: str) -> Unit | None:
    """The station or town above (or at) a geographic path."""
    candidates = [*paths.ancestors(unit_path), unit_path]
    return Unit.objects.filter(path__in=candidates, kind=Unit.Kind.STATION).first()


def liaison_departments(station: Unit) -> list[Unit]:
    return [
        link.department
        for link in Liaison.objects.filter(station=station, department__is_active=True)
        .select_related("department")
        .order_by("department__sort_order", "department__path")
    ]


def next_holder(*, holder: Unit, unit_path: str) -> Unit | None:
    """The unit above `holder` for a request arising at `unit_path`; None at the top."""
    if holder.kind in (Unit.Kind.GRID, Unit.Kind.COMMUNITY):
        return holder.parent
    station = station_of(unit_path)
    if holder.kind == Unit.Kind.STATION:
        departments = liaison_departments(holder)
        return departments[0] if departments else holder.parent
    if holder.kind == Unit.Kind.DEPARTMENT:
        departments = liaison_departments(station) if station is not None else []
        ids = [d.pk for d in departments]
        if holder.pk in ids and ids.index(holder.pk) + 1 < len(departments):
            return departments[ids.index(holder.pk) + 1]
        # A department's parent is its district office.
        return holder.parent
    return None
