"""Recording a resident's vaccination status (C7)."""

from __future__ import annotations

from django.db import transaction

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.care.models import Vaccination
from linli.core.errors import ServiceError
from linli.core.limits import limited_text
from linli.registry.models import Resident


@transaction.atomic
def vaccination_record(
    *, actor: User, resident: Resident, status: str, doses: int = 0, reason: str = "", note: str = ""
) -> Vaccination:
    """Set a resident's vaccination status; a missing or partial one needs the reason."""
    require_capability(actor, Capability.LOG_CONTACTS, resident.unit_path)
    if status not in Vaccination.Status.values:
        raise ServiceError("接种情况无效", field="status")
    if not 0 <= doses <= 10:
        raise ServiceError("剂次应在 0–10 之间", field="doses")
    if status == Vaccination.Status.NONE and doses:
        raise ServiceError("未接种时剂次应为 0", field="doses")
    if status != Vaccination.Status.FULL and reason not in Vaccination.Reason.values:
        raise ServiceError("未接种或未全程接种须选择原因", field="reason")
    if status == Vaccination.Status.FULL:
        reason = ""
    note = limited_text(note, Vaccination, "note")
    record, _ = Vaccination.objects.update_or_create(
        resident=resident,
        defaults={
            "unit_path": resident.unit_path,
            "status": status,
            "doses": doses,
            "reason": reason,
            "note": note,
            "recorded_by": actor,
        },
    )
    audit_record(actor=actor, action="vaccination.record", obj=record, unit_path=resident.unit_path)
    return record
