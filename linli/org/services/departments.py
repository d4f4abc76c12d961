"""Every write about departments (治安支队 …) and the stations they liaise with."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.core import paths
from linli.core.errors import ServiceError
from linli.org.models import Liaison, Unit
from linli.org.services.units import _save_new


@transaction.atomic
def department_create(
    *, actor: Any, district: Unit, segment: str, name: str, phone: str = "", sort_order: int = 0
) -> Unit:
    """Add a department (治安支队 …) to a district, outside its geographic tree."""
    require_capability(actor, Capability.MANAGE_UNITS, district.path)
    if district.kind != Unit.Kind.DISTRICT:
        raise ServiceError("部门只能设在区县之下")
    if not paths.is_valid_segment(segment):
        raise ServiceError("编码只能由字母和数字组成", field="segment")
    path = paths.join(district.path, segment)
    unit = Unit(
        code=path,
        name=name,
        short_name=name,
        kind=Unit.Kind.DEPARTMENT,
        parent=district,
        path=path,
        depth=1,
        scheme=district.scheme,
        phone=phone,
        sort_order=sort_order,
    )
    _save_new(unit)
    audit_record(actor=actor, action="department.create", obj=unit, unit_path=unit.path)
    return unit


@transaction.atomic
def liaison_link(*, actor: Any, department: Unit, station: Unit) -> Liaison:
    """The department supports the station: the station's unsolved problems go to it (O2)."""
    if department.kind != Unit.Kind.DEPARTMENT or station.kind != Unit.Kind.STATION:
        raise ServiceError("联系片区只能由部门联系派出所/镇街")
    if department.parent_id != station.parent_id:
        raise ServiceError("部门只能联系本区县的派出所/镇街")
    require_capability(actor, Capability.MANAGE_UNITS, station.path)
    liaison, created = Liaison.objects.get_or_create(department=department, station=station)
    if created:
        audit_record(actor=actor, action="liaison.link", obj=liaison, unit_path=station.path)
    return liaison
