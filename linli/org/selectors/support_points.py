"""Reads of support points (警务室, 平安屋 …), and access to one for managing it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.org.models import SupportPoint, Unit
from linli.org.selectors.units import ReadOnlyAccess


def get_support_point_for_manage(user: Any, point_id: int) -> SupportPoint:
    point = SupportPoint.objects.select_related("unit").filter(pk=point_id).first()
    if point is None:
        raise Http404
    if not scope_for(user).sees_unit(point.unit.path):
        raise Http404
    if not scope_for(user).can(Capability.MANAGE_UNITS, point.unit.path):
        raise ReadOnlyAccess
    return point


def support_points_of(*, unit: Unit) -> QuerySet[SupportPoint]:
    """Support points of the unit and of its direct children (the caller has already accessed `unit`).

    One level down only: a district page listing every 警务室 of 300 committees would be too heavy for
    a phone, and each station's page lists its own.
    """
    return (
        SupportPoint.objects.filter(Q(unit=unit) | Q(unit__parent=unit), is_active=True)
        .select_related("unit")
        .order_by("unit__path", "kind", "name")
    )
