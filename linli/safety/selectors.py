"""Permission-bearing reads of disputes and hazards: registers, checks due, the hazard summary.

Disputes and hazards are read like key persons: in the user's geographic subtrees (`Scope.full_roots`);
departments see none. "Absent" and "not yours" are the same 404; read-only roles get 403 on writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.models import Membership, User
from linli.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from linli.accounts.selectors import scope_for
from linli.care.models import Contact, Sweep
from linli.core import paths
from linli.core.masking import mask_phone
from linli.org.access import ReadOnlyAccess
from linli.org.models import Unit
from linli.safety.models import Dispute, DisputeCheck, DisputeEvent, Hazard, HazardRecheck

# Depth of a community in the unit tree (district 0, station 1, community 2, grid 3).
COMMUNITY_DEPTH = 2
_SAFETY_ROLES = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.HANDLE_SAFETY in caps]


def community_path_of(path: str) -> str:
    """The community a grid or community path lies in."""
    return paths.SEPARATOR.join(path.split(paths.SEPARATOR)[: COMMUNITY_DEPTH + 1])


def community_officer_of(*, path: str) -> User | None:
    """The community officer (社区民警) of the community that `path` lies in, or None.

    The unit's named responsible person wins when they hold the role there; otherwise the longest-serving.
    """
    community = Unit.objects.filter(path=community_path_of(path), kind=Unit.Kind.COMMUNITY).first()
    if community is None:
        return None
    officers = (
        Membership.objects.filter(
            unit=community, role=Role.COMMUNITY_OFFICER, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("created_at", "id")
    )
    users = [m.user for m in officers]
    named = [u for u in users if u.pk == community.responsible_id]
    return next(iter(named or users), None)


# Units.


def get_unit_for_safety(user: Any, code: str) -> Unit:
    """A district, station, community or grid whose disputes and hazards the user may read; else 404."""
    unit = Unit.objects.select_related("scheme", "parent").filter(code=code).first()
    if unit is None:
        raise Http404
    if not unit.is_active:
        raise Http404
    if unit.kind == Unit.Kind.DEPARTMENT:
        raise Http404
    if not scope_for(user).covers(unit.path):
        raise Http404
    return unit


def require_safety_work(user: Any, path: str) -> None:
    """403 for a user who may read this path but not log disputes or hazards in it."""
    if not scope_for(user).can(Capability.HANDLE_SAFETY, path):
        raise ReadOnlyAccess


def safety_units_of(*, user: Any) -> QuerySet[Unit]:
    """The units at the top of the user's geographic scope: where their safety pages start."""
    roots = scope_for(user).full_roots
    return Unit.objects.filter(path__in=roots, is_active=True).select_related("scheme").order_by("path")


def places_under(*, user: Any, unit: Unit) -> list[Unit]:
    """The communities and grids under `unit` (and the unit itself) where the user may log, by path.

    A district has thousands: its pages send the user to a station or community to log instead.
    """
    if unit.kind == Unit.Kind.DISTRICT:
        return []
    scope = scope_for(user)
    units = (
        Unit.objects.filter(
            paths.subtree_q("path", unit.path),
            kind__in=[Unit.Kind.COMMUNITY, Unit.Kind.GRID],
            is_active=True,
        )
        .select_related("parent")
        .order_by("path")
    )
    return [u for u in units if scope.can(Capability.HANDLE_SAFETY, u.path)]


def place_label(unit: Unit) -> str:
    """A grid's name with its community's ("贝港居委 第一网格"); a community's own name."""
    if unit.kind == Unit.Kind.GRID and unit.parent is not None:
        return f"{unit.parent.name} {unit.name}"
    return unit.name


def unit_names(unit_paths: set[str]) -> dict[str, Unit]:
    """Units by path, for naming the grid or community of rows the caller already read."""
    return {u.path: u for u in Unit.objects.filter(path__in=sorted(unit_paths)).select_related("parent")}


# Disputes.


def disputes_visible_to(*, user: Any) -> QuerySet[Dispute]:
    """Disputes in the user's geographic subtrees (departments see none)."""
    scope = scope_for(user)
    return Dispute.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))


def disputes_in(*, user: Any, unit: Unit | None = None, state: str = "") -> QuerySet[Dispute]:
    """Disputes in scope, or under a unit the caller has accessed; `state` open or resolved; newest first."""
    queryset = disputes_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("owner").order_by("-created_at", "-id")


def get_dispute_for_user(user: Any, dispute_id: int) -> Dispute:
    """One dispute; "absent" and "not yours" are the same 404."""
    dispute = Dispute.objects.select_related("owner", "logged_by").filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404
    if not scope_for(user).covers(dispute.unit_path):
        raise Http404
    return dispute


def get_dispute_detail_for_user(user: Any, dispute_id: int) -> Dispute:
    """A dispute's detail (parties, timeline): the read is audited."""
    from linli.audit.services import audit_record

    dispute = get_dispute_for_user(user, dispute_id)
    audit_record(actor=user, action="dispute.view", obj=dispute, unit_path=dispute.unit_path)
    return dispute


def get_dispute_for_handling(user: Any, dispute_id: int) -> Dispute:
    """A dispute the user may transfer, mediate or check: 404 outside scope, 403 where they only read."""
    dispute = get_dispute_for_user(user, dispute_id)
    require_safety_work(user, dispute.unit_path)
    return dispute


def get_dispute_check(dispute: Dispute, check_id: int) -> DisputeCheck:
    """A check of a dispute the caller has accessed; 404 when it belongs to another dispute."""
    check = DisputeCheck.objects.select_related("dispute").filter(pk=check_id, dispute=dispute).first()
    if check is None:
        raise Http404
    return check


def dispute_checks_due(
    *, user: Any, on: datetime.date, unit: Unit | None = None, mine: bool = False
) -> QuerySet[DisputeCheck]:
    """Checks of agreements not yet made and due by `on`, most overdue first.

    `unit` narrows to a unit the caller has accessed; `mine` to disputes the user owns.
    """
    scope = scope_for(user)
    queryset = DisputeCheck.objects.filter(
        paths.any_subtree_q("unit_path", scope.full_roots),
        state=DisputeCheck.State.PENDING,
        due_on__lte=on,
    )
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    if mine:
        queryset = queryset.filter(dispute__owner=user)
    return queryset.select_related("dispute", "dispute__owner", "mediation").order_by("due_on", "id")


def dispute_timeline(*, dispute: Dispute) -> QuerySet[DisputeEvent]:
    """What happened to a dispute the caller has accessed, oldest first."""
    return dispute.events.select_related("actor", "to_user").order_by("at", "id")


@dataclass(frozen=True)
class PartyRow:
    name: str
    phone: str


def dispute_parties(*, dispute: Dispute) -> list[PartyRow]:
    """The parties of a dispute the caller has accessed, phones masked."""
    return [PartyRow(p.name, mask_phone(p.phone)) for p in dispute.parties.all()]


def transfer_candidates(*, dispute: Dispute) -> list[User]:
    """Who a dispute may be handed to: the community officer first, then the members of its community and
    grid who handle disputes (station offices take theirs by logging in their own communities)."""
    community = community_path_of(dispute.unit_path)
    unit_paths = {community, dispute.unit_path}
    memberships = (
        Membership.objects.filter(
            unit__path__in=sorted(unit_paths),
            role__in=_SAFETY_ROLES,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("unit__path", "role", "user__username")
    )
    officer = community_officer_of(path=dispute.unit_path)
    users: dict[int, User] = {officer.pk: officer} if officer is not None else {}
    for m in memberships:
        users.setdefault(m.user.pk, m.user)
    return [u for u in users.values() if u.pk != dispute.owner_id]


@dataclass(frozen=True)
class DisputeCounts:
    open: int
    resolved: int
    checks_due: int


def dispute_counts(*, user: Any, unit: Unit, on: datetime.date) -> DisputeCounts:
    counts = disputes_in(user=user, unit=unit).aggregate(
        open=Count("id", filter=Q(state=Dispute.State.OPEN)),
        resolved=Count("id", filter=Q(state=Dispute.State.RESOLVED)),
    )
    return DisputeCounts(
        open=counts["open"],
        resolved=counts["resolved"],
        checks_due=dispute_checks_due(user=user, on=on, unit=unit).count(),
    )


# Hazards.

HAZARD_FILTERS = {"open": "待整改", "overdue": "已逾期", "cleared": "已整改", "all": "全部"}


def hazards_visible_to(*, user: Any) -> QuerySet[Hazard]:
    """Hazards in the user's geographic subtrees (departments see none)."""
    scope = scope_for(user)
    return Hazard.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))


def hazards_in(
    *, user: Any, on: datetime.date, unit: Unit | None = None, state: str = ""
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


def get_hazard_for_user(user: Any, hazard_id: int) -> Hazard:
    """One hazard; "absent" and "not yours" are the same 404."""
    hazard = Hazard.objects.select_related("recorded_by", "contact", "sweep").filter(pk=hazard_id).first()
    if hazard is None:
        raise Http404
    if not scope_for(user).covers(hazard.unit_path):
        raise Http404
    return hazard


def get_hazard_for_handling(user: Any, hazard_id: int) -> Hazard:
    """A hazard the user may re-check: 404 outside scope, 403 where they only read."""
    hazard = get_hazard_for_user(user, hazard_id)
    require_safety_work(user, hazard.unit_path)
    return hazard


def hazard_rechecks(*, hazard: Hazard) -> QuerySet[HazardRecheck]:
    """The re-checks of a hazard the caller has accessed, oldest first."""
    return hazard.rechecks.select_related("checked_by").order_by("checked_at", "id")


@dataclass(frozen=True)
class HazardCounts:
    open: int
    overdue: int
    cleared: int


def hazard_counts(*, user: Any, unit: Unit, on: datetime.date) -> HazardCounts:
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


def hazard_summary(*, user: Any, unit: Unit, start: datetime.date, end: datetime.date) -> HazardSummary:
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


def hazard_summary_xlsx(*, user: Any, unit: Unit, start: datetime.date, end: datetime.date) -> bytes:
    """The summary as a workbook (opens in Excel and WPS) for the local government; the export is audited."""
    from linli.audit.services import audit_record
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


def contact_for_hazard(*, user: Any, contact_id: int) -> Contact | None:
    """A contact in the user's scope that a hazard may be linked to, or None."""
    contact = Contact.objects.select_related("key_person").filter(pk=contact_id).first()
    if contact is None or not scope_for(user).covers(contact.key_person.unit_path):
        return None
    return contact


def sweep_for_hazard(*, user: Any, sweep_id: int) -> Sweep | None:
    """A sweep in the user's scope that a hazard may be linked to, or None."""
    sweep = Sweep.objects.filter(pk=sweep_id).first()
    if sweep is None or not scope_for(user).covers(sweep.unit_path):
        return None
    return sweep
