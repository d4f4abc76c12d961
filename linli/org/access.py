"""Object access for the unit tree: "does not exist" and "not yours" are the same 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.org.models import SupportPoint, Unit


class ReadOnlyAccess(PermissionDenied):
    """The user may see this object but not change it (views answer 403)."""


def get_unit_for_user(user: Any, code: str) -> Unit:
    unit = Unit.objects.select_related("scheme", "responsible", "parent").filter(code=code).first()
    if unit is None:
        raise Http404
    if not unit.is_active:
        raise Http404
    if not scope_for(user).sees_unit(unit.path):
        raise Http404
    return unit


def get_unit_for_manage(user: Any, code: str) -> Unit:
    unit = get_unit_for_user(user, code)
    if not scope_for(user).can(Capability.MANAGE_UNITS, unit.path):
        raise ReadOnlyAccess
    return unit


def get_support_point_for_manage(user: Any, point_id: int) -> SupportPoint:
    point = SupportPoint.objects.select_related("unit").filter(pk=point_id).first()
    if point is None:
        raise Http404
    if not scope_for(user).sees_unit(point.unit.path):
        raise Http404
    if not scope_for(user).can(Capability.MANAGE_UNITS, point.unit.path):
        raise ReadOnlyAccess
    return point
