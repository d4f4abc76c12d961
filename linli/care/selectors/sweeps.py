"""Reads of census sweeps (C2): which the user sees, their coverage, who is left."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.http import Http404

from linli.accounts.selectors.scope import scope_for
from linli.care.models import Sweep, SweepHousehold
from linli.core import paths
from linli.org.models import Unit

if TYPE_CHECKING:
    from linli.accounts.models import User


@dataclass(frozen=True)
class Coverage:
    total: int
    by_outcome: dict[str, int]

    @property
    def unaccounted(self) -> int:
        return self.by_outcome.get(SweepHousehold.Outcome.PENDING, 0)

    @property
    def accounted(self) -> int:
        """Households with an outcome: visited, nobody home, refused or vacant."""
        return self.total - self.unaccounted

    @property
    def accounted_share(self) -> float:
        return 1.0 if not self.total else (self.total - self.unaccounted) / self.total


def sweep_coverage(*, sweep: Sweep) -> Coverage:
    counts = dict(
        sweep.households.values("outcome").annotate(n=Count("id")).values_list("outcome", "n").order_by()
    )
    return Coverage(total=sum(counts.values()), by_outcome=counts)


def sweep_unvisited(*, sweep: Sweep) -> QuerySet[SweepHousehold]:
    """Exactly which households are still unaccounted for."""
    return (
        sweep.households.filter(outcome=SweepHousehold.Outcome.PENDING)
        .select_related("address")
        .order_by("address__key")
    )


def sweeps_visible_to(*, user: User) -> QuerySet[Sweep]:
    scope = scope_for(user)
    return Sweep.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots)).order_by("-started_at")


def open_sweeps_under(*, user: User, unit: Unit, limit: int = 20) -> list[tuple[Sweep, Coverage]]:
    """Open sweeps in or under a unit the caller has accessed, newest first, each with its coverage.

    Two queries however many sweeps: the sweeps, then every sweep's households counted by outcome.
    """
    sweeps = list(
        sweeps_visible_to(user=user)
        .filter(paths.subtree_q("unit_path", unit.path), state=Sweep.State.OPEN)
        .select_related("unit", "unit__parent")[:limit]
    )
    coverages = coverages_of(sweeps)
    return [(s, coverages[s.pk]) for s in sweeps]


def coverages_of(sweeps: list[Sweep]) -> dict[int, Coverage]:
    """Each sweep's coverage by its id, in one query however many sweeps."""
    counts: dict[int, dict[str, int]] = {sweep.pk: {} for sweep in sweeps}
    rows = (
        SweepHousehold.objects.filter(sweep_id__in=counts)
        .values("sweep_id", "outcome")
        .annotate(n=Count("id"))
        .values_list("sweep_id", "outcome", "n")
        .order_by()
    )
    for sweep_id, outcome, n in rows:
        counts[sweep_id][outcome] = n
    return {
        pk: Coverage(total=sum(by_outcome.values()), by_outcome=by_outcome)
        for pk, by_outcome in counts.items()
    }


def get_sweep_for_user(user: User, sweep_id: int) -> Sweep:
    sweep = Sweep.objects.select_related("unit").filter(pk=sweep_id).first()
    if sweep is None:
        raise Http404
    if not scope_for(user).covers(sweep.unit_path):
        raise Http404
    return sweep
