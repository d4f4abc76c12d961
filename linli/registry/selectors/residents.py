"""Permission-bearing reads of residents. Lists are masked on the server; detail reads are audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.core import paths
from linli.core.limits import too_long
from linli.core.masking import age_of, mask_id_number, mask_phone
from linli.registry.models import REVEAL_REASON_MAX_LENGTH, Address, Resident


def residents_visible_to(*, user: Any) -> QuerySet[Resident]:
    """Residents in the user's geographic subtrees (departments see none: X1)."""
    scope = scope_for(user)
    return Resident.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots)).select_related(
        "address"
    )


@dataclass(frozen=True)
class ResidentRow:
    """What a list or search result shows of a resident: numbers masked."""

    id: int
    name: str
    id_number: str
    phone: str
    residence_type: str
    address: str
    status: str
    # Age, never the birth date: the masked digits of the ID number are the birth date.
    age: int | None = None


def resident_row(resident: Resident) -> ResidentRow:
    return ResidentRow(
        id=resident.pk,
        name=resident.name,
        id_number=mask_id_number(resident.id_number or ""),
        phone=mask_phone(resident.phone),
        residence_type=resident.get_residence_type_display(),
        address=str(resident.address) if resident.address_id and resident.address else "",
        status=resident.get_status_display(),
        age=age_of(resident.birth_date),
    )


def _resident_in_scope(user: Any, resident_id: int) -> Resident:
    resident = Resident.objects.select_related("address").filter(pk=resident_id).first()
    if resident is None:
        raise Http404
    if not scope_for(user).covers(resident.unit_path):
        raise Http404
    return resident


def get_resident_for_user(user: Any, resident_id: int, *, reason: str = "") -> Resident:
    """One resident the user may see; "absent" and "not yours" are the same 404. The read is audited."""
    resident = _resident_in_scope(user, resident_id)
    audit_record(
        actor=user, action="resident.view", obj=resident, unit_path=resident.unit_path, reason=reason
    )
    return resident


def residents_search(
    *, user: Any, name: str = "", phone_last4: str = "", id_number: str = ""
) -> QuerySet[Resident]:
    """Search within scope by name (prefix), the last four digits of a phone, or a full ID number.

    The caller normalises the inputs; an ID number comes from a request body, never from a URL.
    """
    queryset = residents_visible_to(user=user)
    if id_number:
        return queryset.filter(id_number=id_number)
    if phone_last4:
        queryset = queryset.filter(phone_last4=phone_last4)
    if name:
        queryset = queryset.filter(name__startswith=name)
    if not (name or phone_last4):
        return queryset.none()
    return queryset.order_by("name", "id")


@dataclass(frozen=True)
class RevealedNumbers:
    id_number: str
    phone: str


def resident_reveal(*, user: Any, resident_id: int, reason: str) -> tuple[Resident, RevealedNumbers]:
    """A resident's full ID and phone numbers: 404 outside scope, 403 without the right, a reason required.

    One audit event (resident.reveal, with the reason) stands for the whole read.
    """
    from django.core.exceptions import PermissionDenied

    from linli.core.errors import ServiceError

    resident = _resident_in_scope(user, resident_id)
    if not scope_for(user).can(Capability.REVEAL_PERSONAL, resident.unit_path):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ServiceError("请填写查看完整号码的事由", field="reason")
    if len(reason) > REVEAL_REASON_MAX_LENGTH:
        raise ServiceError(too_long(REVEAL_REASON_MAX_LENGTH), field="reason")
    audit_record(
        actor=user, action="resident.reveal", obj=resident, unit_path=resident.unit_path, reason=reason
    )
    return resident, RevealedNumbers(id_number=resident.id_number or "", phone=resident.phone)


def residents_at(*, address: Address) -> QuerySet[Resident]:
    """Who lives at an address the caller has accessed (present residents first)."""
    return address.residents.order_by("status", "household_number", "name")
