"""Standard addresses: their stable codes, matching free text to them, and the review queue (R1).

Matching is exact on the canonical key of linli.lib.address within one station's subtree (road names
repeat across towns). A text that does not parse completely, or whose key names no standard address
there, is queued for review: a resident is never attached to a guessed address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.limits import text_limit, too_long
from linli.lib.address import AddressParts, parse_address
from linli.org.models import Unit
from linli.registry.models import Address, AddressReview, Resident

# What people may write before the town in the demo deployments; a deployment's own come from its tree.
DISTRICT_PREFIXES = {
    "310120": ("上海市", "奉贤区"),
    "150623": ("内蒙古自治区", "鄂尔多斯市", "鄂托克前旗"),
}


def address_code(station_path: str, key: str) -> str:
    """A stable code for the standard address with this key: the same on every import and machine."""
    digest = hashlib.sha256(f"{station_path}|{key}".encode()).hexdigest()[:16].upper()
    return f"{station_path.replace(paths.SEPARATOR, '')}-{digest}"


def station_path_of(path: str) -> str:
    """The station or town a unit path lies in (the path itself for a station)."""
    return paths.SEPARATOR.join(path.split(paths.SEPARATOR)[:2])


def _district_code(path: str) -> str:
    return path.split(paths.SEPARATOR)[0]


def address_display(parts: AddressParts) -> str:
    """The standard address as it is shown (`Address.full_text`)."""
    return "".join((parts.road, parts.lane, parts.number, parts.building, parts.unit, parts.room))


def address_too_long(parts: AddressParts) -> str | None:
    """Why a parsed address does not fit its table's columns, or None: each part is held to its column's
    limit, in the words every text limit is refused in."""
    columns = {
        "locality": parts.road,
        "lane": parts.lane,
        "number": parts.number,
        "building": parts.building,
        "unit_no": parts.unit,
        "room": parts.room,
        "full_text": address_display(parts),
        "key": parts.key(),
    }
    for column, value in columns.items():
        limit = text_limit(Address, column)
        if len(value) > limit:
            field = Address._meta.get_field(column)
            return f"{getattr(field, 'verbose_name', column)}{too_long(limit)}"
    return None


@dataclass(frozen=True)
class Match:
    address_id: int | None
    parts: AddressParts

    @property
    def matched(self) -> bool:
        return self.address_id is not None


class AddressIndex:
    """The standard addresses of one station's subtree, keyed for matching many texts in one go."""

    def __init__(self, unit_path: str) -> None:
        self.station_path = station_path_of(unit_path)
        self.prefixes = DISTRICT_PREFIXES.get(_district_code(unit_path), ())
        self._by_key: dict[str, int] = dict(
            Address.objects.filter(station_path=self.station_path).values_list("key", "id")
        )

    def match(self, text: str) -> Match:
        parts = parse_address(text, strip_prefixes=self.prefixes)
        if not parts.understood or not parts.road or not (parts.number or parts.lane or parts.building):
            return Match(None, parts)
        return Match(self._by_key.get(parts.key()), parts)


@transaction.atomic
def address_register(*, actor: Any, grid: Unit, text: str) -> Address:
    """Create the standard address `text` in `grid`, or return the one that already has its key."""
    require_capability(actor, Capability.MANAGE_REGISTRY, grid.path)
    if grid.kind != Unit.Kind.GRID:
        raise ServiceError("标准地址须落在网格中", field="grid")
    district = _district_code(grid.path)
    station = station_path_of(grid.path)
    parts = parse_address(text, strip_prefixes=DISTRICT_PREFIXES.get(district, ()))
    if not parts.understood:
        raise ServiceError(f"地址中有无法识别的部分：“{parts.rest}”", field="text")
    if not parts.road or not (parts.number or parts.lane or parts.building):
        raise ServiceError("标准地址至少要有路/村名和门牌号", field="text")
    if (refusal := address_too_long(parts)) is not None:
        raise ServiceError(refusal, field="text")
    key = parts.key()
    existing = Address.objects.filter(station_path=station, key=key).first()
    if existing is not None:
        if existing.unit_path != grid.path:
            raise ServiceError(f"该地址已登记在其他网格（{existing.code}）", field="text")
        return existing
    address = Address.objects.create(
        code=address_code(station, key),
        station_path=station,
        key=key,
        grid=grid,
        unit_path=grid.path,
        locality=parts.road,
        lane=parts.lane,
        number=parts.number,
        building=parts.building,
        unit_no=parts.unit,
        room=parts.room,
        full_text=address_display(parts),
    )
    audit_record(actor=actor, action="address.create", obj=address, unit_path=grid.path)
    return address


@transaction.atomic
def resident_attach_address(*, actor: Any, resident: Resident, text: str) -> AddressReview | None:
    """Attach the resident to the standard address `text` names; queue the text for review if none does."""
    require_capability(actor, Capability.MANAGE_REGISTRY, resident.unit_path)
    limit = text_limit(Resident, "reported_address")
    if len(text) > limit:
        raise ServiceError(too_long(limit), field="text")
    match = AddressIndex(resident.unit_path).match(text)
    resident.reported_address = text
    if match.matched:
        resident.address_id = match.address_id
        resident.is_complete = resident.basic_info_complete()
        resident.save(update_fields=["address", "reported_address", "is_complete", "updated_at"])
        audit_record(
            actor=actor, action="resident.attach_address", obj=resident, unit_path=resident.unit_path
        )
        return None
    resident.save(update_fields=["reported_address", "updated_at"])
    return AddressReview.objects.create(
        raw_text=text,
        parsed_key=match.parts.key(),
        not_understood=match.parts.rest[:255],
        unit_path=resident.unit_path,
        resident=resident,
    )


@transaction.atomic
def address_review_resolve(*, actor: Any, review: AddressReview, address: Address | None) -> AddressReview:
    """Settle a queued text: attach its resident to `address`, or dismiss it when `address` is None."""
    require_capability(actor, Capability.MANAGE_REGISTRY, review.unit_path)
    if review.state != AddressReview.State.PENDING:
        raise ServiceError("该地址已经核对过")
    if address is not None and station_path_of(address.unit_path) != station_path_of(review.unit_path):
        raise ServiceError("只能对应本派出所（镇）辖区内的标准地址")
    review.state = AddressReview.State.MATCHED if address else AddressReview.State.DISMISSED
    review.resolved_address = address
    review.resolved_by = actor
    review.resolved_at = timezone.now()
    review.save(update_fields=["state", "resolved_address", "resolved_by", "resolved_at"])
    if address is not None and review.resident_id:
        resident = Resident.objects.get(pk=review.resident_id)
        resident.address = address
        resident.is_complete = resident.basic_info_complete()
        resident.save(update_fields=["address", "is_complete", "updated_at"])
    audit_record(actor=actor, action="address_review.resolve", obj=review, unit_path=review.unit_path)
    return review


@dataclass(frozen=True)
class MatchSummary:
    matched: int
    queued: int


def residents_match_addresses(*, unit_path: str) -> MatchSummary:
    """Attach the residents of a subtree whose written address names a standard address; queue the rest.

    Run after an import (the import itself only keeps the text, to stay fast). Each distinct text is
    parsed once; a text already waiting for review is not queued twice. One transaction per station.
    """
    pending = (
        Resident.objects.filter(paths.subtree_q("unit_path", unit_path), address__isnull=True)
        .exclude(reported_address="")
        .values_list("id", "unit_path", "reported_address")
    )
    by_station: dict[str, list[tuple[int, str, str]]] = {}
    for row in pending.iterator(chunk_size=5000):
        by_station.setdefault(station_path_of(row[1]), []).append(row)
    matched = queued = 0
    now = timezone.now()
    for station, rows in by_station.items():
        with transaction.atomic():
            index = AddressIndex(station)
            results = {text: index.match(text) for text in {r[2] for r in rows}}
            already_queued = set(
                AddressReview.objects.filter(
                    resident_id__in=[r[0] for r in rows], state=AddressReview.State.PENDING
                ).values_list("resident_id", flat=True)
            )
            attach: dict[int, list[int]] = {}
            reviews = []
            for resident_id, path, text in rows:
                result = results[text]
                if result.address_id is not None:
                    attach.setdefault(result.address_id, []).append(resident_id)
                elif resident_id not in already_queued:
                    reviews.append(
                        AddressReview(
                            raw_text=text[:255],
                            parsed_key=result.parts.key(),
                            not_understood=result.parts.rest[:255],
                            unit_path=path,
                            resident_id=resident_id,
                        )
                    )
            for address_id, resident_ids in attach.items():
                Resident.objects.filter(pk__in=resident_ids).update(address_id=address_id, updated_at=now)
                # A text queued earlier that now names a standard address is settled by the match.
                AddressReview.objects.filter(
                    resident_id__in=resident_ids, state=AddressReview.State.PENDING
                ).update(state=AddressReview.State.MATCHED, resolved_address_id=address_id, resolved_at=now)
                matched += len(resident_ids)
            # A matched resident with a phone and a document now has complete basic information.
            Resident.objects.filter(
                Q(id_number__isnull=False) | ~Q(other_document_number=""),
                pk__in=[rid for ids in attach.values() for rid in ids],
                is_complete=False,
            ).exclude(phone="").update(is_complete=True)
            AddressReview.objects.bulk_create(reviews, batch_size=2000)
            queued += len(reviews)
    return MatchSummary(matched=matched, queued=queued)
