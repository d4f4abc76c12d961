"""Every write about a resident outside bulk imports: registration and status changes (R2)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.lib.idcard import IdNumberError, parse_id_number
from linli.lib.phone import PhoneError, normalise_phone, phone_last4
from linli.org.models import Unit
from linli.registry.models import Resident, ResidentStatusChange

# Which status may follow which: a person who moved out may move back; death is final.
_ALLOWED = {
    Resident.Status.PRESENT: {Resident.Status.MOVED_OUT, Resident.Status.DECEASED},
    Resident.Status.MOVED_OUT: {Resident.Status.PRESENT, Resident.Status.DECEASED},
    Resident.Status.DECEASED: set(),
}


@transaction.atomic
def resident_register(
    *,
    actor: Any,
    grid: Unit,
    name: str,
    residence_type: str,
    id_number: str = "",
    document_kind: str = Resident.DocumentKind.ID_CARD,
    other_document_number: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    phone: str = "",
    moved_in_on: datetime.date | None = None,
) -> Resident:
    """Register a person in a grid. With an ID card, birth date and sex come from the number."""
    require_capability(actor, Capability.MANAGE_REGISTRY, grid.path)
    if grid.kind != Unit.Kind.GRID:
        raise ServiceError("人员须登记在网格中", field="grid")
    name = name.strip()
    if not name:
        raise ServiceError("请填写姓名", field="name")
    if residence_type not in Resident.ResidenceType.values:
        raise ServiceError("请选择人口类型（户籍/常住/流动/临时）", field="residence_type")
    number: str | None = None
    if document_kind == Resident.DocumentKind.ID_CARD:
        try:
            parsed = parse_id_number(id_number)
        except IdNumberError as exc:
            raise ServiceError(exc.message, field="id_number") from None
        number, birth_date, sex = parsed.number, parsed.birth_date, parsed.sex
        if Resident.objects.filter(id_number=number).exists():
            raise ServiceError("该身份证号已登记", field="id_number")
    elif document_kind in (Resident.DocumentKind.PASSPORT, Resident.DocumentKind.OTHER):
        if not other_document_number.strip():
            raise ServiceError("请填写证件号码", field="other_document_number")
    elif document_kind != Resident.DocumentKind.NONE:
        raise ServiceError("证件类型无效", field="document_kind")
    normalised_phone = ""
    if phone:
        try:
            normalised_phone = normalise_phone(phone).number
        except PhoneError as exc:
            raise ServiceError(exc.message, field="phone") from None
    resident = Resident.objects.create(
        name=name,
        document_kind=document_kind,
        id_number=number,
        other_document_number=other_document_number.strip(),
        birth_date=birth_date,
        sex=sex,
        phone=normalised_phone,
        phone_last4=phone_last4(normalised_phone) if normalised_phone else "",
        residence_type=residence_type,
        unit_path=grid.path,
    )
    ResidentStatusChange.objects.create(
        resident=resident,
        status=Resident.Status.PRESENT,
        effective_on=moved_in_on or timezone.localdate(),
        reason="登记",
        recorded_by=actor,
    )
    audit_record(actor=actor, action="resident.register", obj=resident, unit_path=grid.path)
    return resident


@transaction.atomic
def resident_change_status(
    *, actor: Any, resident: Resident, status: str, effective_on: datetime.date, reason: str = ""
) -> ResidentStatusChange:
    """Moved in, moved out, deceased: appended to the history; the row's status follows the latest."""
    require_capability(actor, Capability.MANAGE_REGISTRY, resident.unit_path)
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    new_status = Resident.Status(status)
    if new_status not in _ALLOWED[Resident.Status(locked.status)]:
        raise ServiceError(
            f"状态不能从“{locked.get_status_display()}”改为“{new_status.label}”", field="status"
        )
    if effective_on > timezone.localdate():
        raise ServiceError("生效日期不能晚于今天", field="effective_on")
    change = ResidentStatusChange.objects.create(
        resident=locked,
        status=new_status,
        effective_on=effective_on,
        reason=reason.strip(),
        recorded_by=actor,
    )
    locked.status = new_status
    locked.save(update_fields=["status", "updated_at"])
    resident.status = new_status
    audit_record(
        actor=actor, action="resident.change_status", obj=locked, unit_path=locked.unit_path,
        reason=reason, detail={"status": str(new_status)},
    )  # fmt: skip
    return change
