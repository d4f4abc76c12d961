"""Permission-bearing reads of hazards: registers, a hazard and its re-checks, the 隐患清零 summary.

Hazards are read like key persons: in the user's geographic subtrees (`Scope.full_roots`); departments
see none. "Absent" and "not yours" are the same 404; read-only roles get 403 on writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.care.models import Contact, Sweep
from linli.core import paths
from linli.org.models import Unit
from linli.org.selectors.units import require_right
from linli.safety.models import Hazard, HazardRecheck
from linli.safety.selectors.places import community_path_of

if TYPE_CHECKING:
    from linli.accounts.models import User

HAZARD_FILTERS = {"open": "待整改", "overdue": "已逾期", "cleared": "已整改", "all": "全部"}


def hazards_visible_to(*, user: User) -> QuerySet[Hazard]:
    """Hazards in the user's geographic subtrees (departments see none)."""
    scope = scope_for(user)
    return Hazard.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))


def hazards_in(
    *, user: User, on: datetime.date, unit: Unit | None = None, state: str = ""
) -> QuerySet[Hazard]:
    """Hazards in scope or under a unit the caller has accessed.

    `state`: open (by deadline, the most urgent first), overdue (open past the deadline on `on`),
    cleared (most recently cleared first), or empty for all (newest first).
    """
    queryset = hazards_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    queryset = queryset.select_related("recorded_by")
    if state == "open":
        return queryset.filter(state=Hazard.State.OPEN).order_by("deadline", "id")
    if state == "overdue":
        return queryset.filter(state=Hazard.State.OPEN, deadline__lt=on).order_by("deadline", "id")
    if state == "cleared":
        return queryset.filter(state=Hazard.State.CLEARED).order_by("-cleared_on", "-id")
    return queryset.order_by("-found_on", "-id")


def get_hazard_for_user(user: User, hazard_id: int) -> Hazard:
    """One hazard; "absent" and "not yours" are the same 404."""
    hazard = Hazard.objects.select_related("recorded_by", "contact", "sweep").filter(pk=hazard_id).first()
    if hazard is None:
        raise Http404
    if not scope_for(user).covers(hazard.unit_path):
        raise Http404
    return hazard


def get_hazard_for_handling(user: User, hazard_id: int) -> Hazard:
    """A hazard the user may re-check: 404 outside scope, 403 where they only read."""
    hazard = get_hazard_for_user(user, hazard_id)
    require_right(user, Capability.HANDLE_SAFETY, hazard.unit_path)
    return hazard


def hazard_rechecks(*, hazard: Hazard) -> QuerySet[HazardRecheck]:
    """The re-checks of a hazard the caller has accessed, oldest first."""
    return hazard.rechecks.select_related("checked_by").order_by("checked_at", "id")


@dataclass(frozen=True)
class HazardCounts:
    open: int
    overdue: int
    cleared: int


def hazard_counts(*, user: User, unit: Unit, on: datetime.date) -> HazardCounts:
    counts = hazards_in(user=user, on=on, unit=unit).aggregate(
        open=Count("id", filter=Q(state=Hazard.State.OPEN)),
        overdue=Count("id", filter=Q(state=Hazard.State.OPEN, deadline__lt=on)),
        cleared=Count("id", filter=Q(state=Hazard.State.CLEARED)),
    )
    return HazardCounts(**counts)


@dataclass
class SummaryRow:
    """A community's hazards over a period: found and cleared in it, open and overdue at its end."""

    label: str
    unit: Unit | None = None
    found: int = 0
    cleared: int = 0
    still_open: int = 0
    overdue: int = 0

    def add(self, other: SummaryRow | Mapping[str, Any]) -> None:
        for name in ("found", "cleared", "still_open", "overdue"):
            value = getattr(other, name) if isinstance(other, SummaryRow) else other[name]
            setattr(self, name, getattr(self, name) + value)


@dataclass
class HazardSummary:
    unit: Unit
    start: datetime.date
    end: datetime.date
    rows: list[SummaryRow] = field(default_factory=list)
    total: SummaryRow = field(default_factory=lambda: SummaryRow("合计"))


def hazard_summary(*, user: User, unit: Unit, start: datetime.date, end: datetime.date) -> HazardSummary:
    """Per community under `unit` (a community or grid: that unit alone), for the local government:

    found and cleared between `start` and `end`, still open at the end of `end`, and of those the ones past
    their deadline. One aggregate query grouped by grid, rolled up to communities.
    """
    summary = HazardSummary(unit=unit, start=start, end=end)
    if not scope_for(user).covers(unit.path):
        return summary
    if unit.kind in (Unit.Kind.COMMUNITY, Unit.Kind.GRID):
        places = [unit]
    else:
        places = list(
            Unit.objects.filter(
                paths.strict_subtree_q("path", unit.path), kind=Unit.Kind.COMMUNITY, is_active=True
            )
            .select_related("parent")
            .order_by("path")
        )
    by_station = unit.kind == Unit.Kind.DISTRICT
    rows: dict[str, SummaryRow] = {}
    for place in places:
        parent = place.parent if by_station else None
        station = (parent.short_name or parent.name) if parent is not None else ""
        rows[place.path] = SummaryRow(f"{station} · {place.name}" if station else place.name, place)
    open_at_end = Q(found_on__lte=end) & (Q(cleared_on__isnull=True) | Q(cleared_on__gt=end))
    grouped = (
        Hazard.objects.filter(paths.subtree_q("unit_path", unit.path))
        .values("unit_path")
        .annotate(
            found=Count("id", filter=Q(found_on__range=(start, end))),
            cleared=Count("id", filter=Q(cleared_on__range=(start, end))),
            still_open=Count("id", filter=open_at_end),
            overdue=Count("id", filter=open_at_end & Q(deadline__lt=end)),
        )
        .order_by()
    )
    for counts in grouped:
        key = unit.path if unit.kind == Unit.Kind.GRID else community_path_of(counts["unit_path"])
        row = rows.get(key)
        if row is None:  # a community since deactivated: still counted, under its path
            row = rows[key] = SummaryRow(key)
        row.add(counts)
    summary.rows = sorted(rows.values(), key=lambda r: r.unit.path if r.unit else r.label)
    for row in summary.rows:
        summary.total.add(row)
    return summary


def hazard_summary_xlsx(*, user: User, unit: Unit, start: datetime.date, end: datetime.date) -> bytes:
    """The summary as a workbook (opens in Excel and WPS) for the local government; the export is audited."""
    from linli.audit.services.events import audit_record
    from linli.core.spreadsheet import Column, xlsx_bytes

    summary = hazard_summary(user=user, unit=unit, start=start, end=end)
    data = xlsx_bytes(
        sheet_title="隐患清零",
        title=f"{unit.name} 隐患排查整改情况（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）",
        columns=[Column(title) for title in ("社区/村", "本期发现", "本期整改", "期末未整改", "其中逾期")],
        rows=(
            [row.label, row.found, row.cleared, row.still_open, row.overdue]
            for row in [*summary.rows, summary.total]
        ),
    )
    audit_record(
        actor=user,
        action="hazard_summary.export",
        object_type="org.unit",
        object_id=unit.code,
        unit_path=unit.path,
        detail={"from": start.isoformat(), "to": end.isoformat(), "rows": len(summary.rows)},
    )
    return data


def contact_for_hazard(*, user: User, contact_id: int) -> Contact | None:
    """A contact in the user's scope that a hazard may be linked to, or None."""
    contact = Contact.objects.select_related("key_person").filter(pk=contact_id).first()
    if contact is None or not scope_for(user).covers(contact.key_person.unit_path):
        return None
    return contact


def sweep_for_hazard(*, user: User, sweep_id: int) -> Sweep | None:
    """A sweep in the user's scope that a hazard may be linked to, or None."""
    sweep = Sweep.objects.filter(pk=sweep_id).first()
    if sweep is None or not scope_for(user).covers(sweep.unit_path):
        return None
    return sweep
