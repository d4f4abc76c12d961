"""Permission-bearing reads of disputes: registers, a dispute and its checks, the checks due.

Disputes are read like key persons: in the user's geographic subtrees (`Scope.full_roots`); departments
see none. "Absent" and "not yours" are the same 404; read-only roles get 403 on writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.models import ROLE_CAPABILITIES, Capability, Membership, User
from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.core.masking import mask_phone
from linli.org.models import Unit
from linli.org.selectors.units import require_right
from linli.safety.models import Dispute, DisputeCheck, DisputeEvent
from linli.safety.selectors.places import community_officer_of, community_path_of

_SAFETY_ROLES = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.HANDLE_SAFETY in caps]


def disputes_visible_to(*, user: User) -> QuerySet[Dispute]:
    """Disputes in the user's geographic subtrees (departments see none)."""
    scope = scope_for(user)
    return Dispute.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))


def disputes_in(*, user: User, unit: Unit | None = None, state: str = "") -> QuerySet[Dispute]:
    """Disputes in scope, or under a unit the caller has accessed; `state` open or resolved; newest first."""
    queryset = disputes_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(paths.subtree_q("unit_path", unit.path))
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("owner").order_by("-created_at", "-id")


def get_dispute_for_user(user: User, dispute_id: int) -> Dispute:
    """One dispute; "absent" and "not yours" are the same 404."""
    dispute = Dispute.objects.select_related("owner", "logged_by").filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404
    if not scope_for(user).covers(dispute.unit_path):
        raise Http404
    return dispute


def get_dispute_detail_for_user(user: User, dispute_id: int) -> Dispute:
    """A dispute's detail (parties, timeline): the read is audited."""
    from linli.audit.services.events import audit_record

    dispute = get_dispute_for_user(user, dispute_id)
    audit_record(actor=user, action="dispute.view", obj=dispute, unit_path=dispute.unit_path)
    return dispute


def get_dispute_for_handling(user: User, dispute_id: int) -> Dispute:
    """A dispute the user may transfer, mediate or check: 404 outside scope, 403 where they only read."""
    dispute = get_dispute_for_user(user, dispute_id)
    require_right(user, Capability.HANDLE_SAFETY, dispute.unit_path)
    return dispute


def get_dispute_check(dispute: Dispute, check_id: int) -> DisputeCheck:
    """A check of a dispute the caller has accessed; 404 when it belongs to another dispute."""
    check = DisputeCheck.objects.select_related("dispute").filter(pk=check_id, dispute=dispute).first()
    if check is None:
        raise Http404
    return check


def dispute_checks_due(
    *, user: User, on: datetime.date, unit: Unit | None = None, mine: bool = False
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


def dispute_counts(*, user: User, unit: Unit, on: datetime.date) -> DisputeCounts:
    counts = disputes_in(user=user, unit=unit).aggregate(
        open=Count("id", filter=Q(state=Dispute.State.OPEN)),
        resolved=Count("id", filter=Q(state=Dispute.State.RESOLVED)),
    )
    return DisputeCounts(
        open=counts["open"],
        resolved=counts["resolved"],
        checks_due=dispute_checks_due(user=user, on=on, unit=unit).count(),
    )
