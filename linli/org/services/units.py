"""Every write about units of the tree: creating them, their level labels, their responsible people."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability, scope_for
from linli.audit.services.events import audit_record
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.limits import validation_message
from linli.org.models import LevelScheme, Unit


def level_scheme_get_or_create(*, name: str, labels: list[str]) -> LevelScheme:
    if len(labels) != 4:
        raise ServiceError("层级名称需要四级，例如 区/派出所/居村委/网格")
    scheme, _ = LevelScheme.objects.get_or_create(
        name=name,
        defaults={
            "district_label": labels[0],
            "station_label": labels[1],
            "community_label": labels[2],
            "grid_label": labels[3],
        },
    )
    return scheme


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    parent: Unit | None,
    segment: str,
    name: str,
    short_name: str = "",
    scheme: LevelScheme | None = None,
    phone: str = "",
    address: str = "",
    sort_order: int = 0,
) -> Unit:
    """Add a geographic unit under `parent` (a district when parent is None)."""
    if parent is not None:
        require_capability(actor, Capability.MANAGE_UNITS, parent.path)
        if parent.is_department or parent.depth >= 3:
            raise ServiceError(f"“{parent.name}”下不能再设下级单位")
    if not paths.is_valid_segment(segment):
        raise ServiceError("编码只能由字母和数字组成", field="segment")
    path = paths.join(parent.path if parent else "", segment)
    depth = paths.depth(path)
    if scheme is None:
        if parent is None:
            raise ServiceError("新建区县需要指定层级名称方案")
        scheme = parent.scheme
    unit = Unit(
        code=path,
        name=name,
        short_name=short_name,
        kind=Unit.KIND_BY_DEPTH[depth],
        parent=parent,
        path=path,
        depth=depth,
        scheme=scheme,
        phone=phone,
        address=address,
        sort_order=sort_order,
    )
    _save_new(unit)
    audit_record(actor=actor, action="unit.create", obj=unit, unit_path=unit.path)
    return unit


def _save_new(unit: Unit) -> None:
    try:
        unit.full_clean()
    except ValidationError as exc:
        raise ServiceError(validation_message(exc)) from None
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise ServiceError("该编码已存在", field="segment") from None


@transaction.atomic
def unit_assign_responsible(*, actor: Any, unit: Unit, user: User | None, reason: str = "") -> Unit:
    """Name the community officer of a community or the grid leader of a grid (O5)."""
    require_capability(actor, Capability.MANAGE_UNITS, unit.path)
    if unit.kind not in (Unit.Kind.COMMUNITY, Unit.Kind.GRID):
        raise ServiceError("只有社区/村和网格需要指定责任人")
    if user is not None and not scope_for(user).covers(unit.path):
        raise ServiceError("责任人须在该单位任职")
    previous = unit.responsible_id
    unit.responsible = user
    unit.save(update_fields=["responsible"])
    audit_record(
        actor=actor,
        action="unit.assign_responsible",
        obj=unit,
        unit_path=unit.path,
        reason=reason,
        detail={"from_user": previous, "to_user": user.pk if user else None},
    )
    return unit
