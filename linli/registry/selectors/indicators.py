"""一标三实 collection rate per unit (R6): how much of the registry's basic information is complete.

A resident counts as complete with a document, a phone and a standard address (Resident.is_complete,
kept by the services that write the row). An address counts as complete once its housing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Count, Q, Value
from django.db.models.expressions import Case, When

from linli.core import paths
from linli.org.models import Unit
from linli.registry.models import Address, Resident


@dataclass(frozen=True)
class CollectionRate:
    unit: Unit
    residents: int
    residents_complete: int
    addresses: int
    addresses_complete: int

    @property
    def rate(self) -> float | None:
        """Complete rows over all rows (residents and addresses together); None when there are none."""
        total = self.residents + self.addresses
        if not total:
            return None
        return (self.residents_complete + self.addresses_complete) / total


def _bucket(children: list[Unit]) -> Case:
    return Case(
        *[When(paths.subtree_q("unit_path", c.path), then=Value(c.path)) for c in children],
        default=Value(""),
        output_field=CharField(),
    )


def collection_rates(*, units: list[Unit]) -> list[CollectionRate]:
    """The rate of each unit (the caller has accessed them); two queries whatever their number.

    The units must not lie inside one another (siblings, say, or the children of a unit): each row is
    counted for the first unit whose subtree holds it.
    """
    if not units:
        return []
    unit_paths = sorted(u.path for u in units)
    if paths.collapse(unit_paths) != unit_paths:
        raise ValueError("collection_rates needs units that do not contain one another")
    scope = paths.any_subtree_q("unit_path", [u.path for u in units])
    present = Q(status=Resident.Status.PRESENT)
    residents = {
        row["bucket"]: row
        for row in Resident.objects.filter(scope & present)
        .annotate(bucket=_bucket(units))
        .values("bucket")
        .annotate(total=Count("id"), complete=Count("id", filter=Q(is_complete=True)))
        .order_by()
    }
    addresses = {
        row["bucket"]: row
        for row in Address.objects.filter(scope)
        .annotate(bucket=_bucket(units))
        .values("bucket")
        .annotate(total=Count("id"), complete=Count("id", filter=Q(housing__isnull=False)))
        .order_by()
    }
    empty = {"total": 0, "complete": 0}
    return [
        CollectionRate(
            unit=u,
            residents=residents.get(u.path, empty)["total"],
            residents_complete=residents.get(u.path, empty)["complete"],
            addresses=addresses.get(u.path, empty)["total"],
            addresses_complete=addresses.get(u.path, empty)["complete"],
        )
        for u in units
    ]
