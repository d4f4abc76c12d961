"""Every write about support points (警务站、警务室、平安屋 …)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.core.limits import validation_message
from linli.org.models import SupportPoint, Unit


@transaction.atomic
def support_point_create(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    name: str,
    address: str = "",
    phone: str = "",
    opening_hours: str = "",
) -> SupportPoint:
    require_capability(actor, Capability.MANAGE_UNITS, unit.path)
    if unit.is_department:
        raise ServiceError("服务点位只能设在辖区单位下")
    point = SupportPoint(
        unit=unit, kind=kind, name=name.strip(), address=address, phone=phone, opening_hours=opening_hours
    )
    try:
        point.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ServiceError(validation_message(exc)) from None
    if SupportPoint.objects.filter(unit=unit, name=point.name).exists():
        raise ServiceError("本单位已有同名服务点位", field="name")
    point.save()
    audit_record(actor=actor, action="support_point.create", obj=point, unit_path=unit.path)
    return point


@transaction.atomic
def support_point_update(
    *,
    actor: Any,
    point: SupportPoint,
    name: str,
    address: str,
    phone: str,
    opening_hours: str,
    is_active: bool,
) -> SupportPoint:
    require_capability(actor, Capability.MANAGE_UNITS, point.unit.path)
    point.name = name.strip()
    point.address = address
    point.phone = phone
    point.opening_hours = opening_hours
    point.is_active = is_active
    try:
        point.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ServiceError(validation_message(exc)) from None
    if SupportPoint.objects.filter(unit=point.unit, name=point.name).exclude(pk=point.pk).exists():
        raise ServiceError("本单位已有同名服务点位", field="name")
    point.save(update_fields=["name", "address", "phone", "opening_hours", "is_active"])
    audit_record(actor=actor, action="support_point.update", obj=point, unit_path=point.unit.path)
    return point
