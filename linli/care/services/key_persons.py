"""Every write about the key-person ledger: enrolment, pairing, removal, handing over (C1, C3)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability, scope_for
from linli.audit.services.events import audit_record
from linli.care.models import Category, Guardian, KeyPerson, KeyPersonCategory, RiskLevel
from linli.care.services.cadence_rules import cadence_days
from linli.core.errors import ServiceError
from linli.core.limits import limited_text, too_long
from linli.registry.models import Resident

# A reassignment's reason lives in its audit event; pages and the API refuse longer ones alike.
REASSIGN_REASON_LIMIT = 200


@dataclass(frozen=True)
class CategoryInput:
    category: str
    disability_grade: int | None = None
    due_date: datetime.date | None = None
    treatment: str = ""


def _check_member(member: User | None, path: str, what: str) -> None:
    if member is not None and not scope_for(member).can(Capability.LOG_CONTACTS, path):
        raise ServiceError(f"{what}须是在该网格负责联系工作的人员", field="responsible")


@transaction.atomic
def key_person_enrol(
    *,
    actor: User,
    resident: Resident,
    categories: list[CategoryInput],
    risk_level: str = RiskLevel.LOW,
    responsible: User | None = None,
    backup: User | None = None,
    needs_note: str = "",
    guardians: Sequence[tuple[str, str, str]] = (),
) -> KeyPerson:
    """Put a resident on the key-person ledger; the first contact is due today."""
    require_capability(actor, Capability.MANAGE_CARE, resident.unit_path)
    if not categories:
        raise ServiceError("请至少选择一个类别", field="categories")
    if risk_level not in RiskLevel.values:
        raise ServiceError("风险等级无效", field="risk_level")
    if resident.status != Resident.Status.PRESENT:
        raise ServiceError("该人员已迁出或死亡，不能列入重点人员", field="resident")
    earlier = KeyPerson.objects.filter(resident=resident).first()
    if earlier is not None and earlier.is_active:
        raise ServiceError("该人员已在重点人员台账中", field="resident")
    _check_member(responsible, resident.unit_path, "结对责任人")
    _check_member(backup, resident.unit_path, "备用联系人")
    if responsible is not None and backup is not None and responsible.pk == backup.pk:
        raise ServiceError("备用联系人不能与结对责任人相同", field="backup")
    needs_note = limited_text(needs_note, KeyPerson, "needs_note")
    treatments = [
        limited_text(item.treatment, KeyPersonCategory, "treatment", name="categories") for item in categories
    ]
    guardians = [
        (
            limited_text(name, Guardian, "name", name="guardians"),
            limited_text(relation, Guardian, "relation", name="guardians"),
            phone,
        )
        for name, relation, phone in guardians
    ]
    seen: set[str] = set()
    for item in categories:
        if item.category not in Category.values or item.category in seen:
            raise ServiceError("类别无效或重复", field="categories")
        seen.add(item.category)
        if item.category == Category.DISABLED and item.disability_grade not in (1, 2, 3, 4):
            raise ServiceError("残疾人须填写残疾等级（一至四级）", field="categories")
        if item.category == Category.PREGNANT and item.due_date is None:
            raise ServiceError("孕产妇须填写预产期", field="categories")
    days = cadence_days(categories=seen, risk_level=risk_level)
    if earlier is not None:
        # Back on the ledger: the row (and its contact history) is reused, the enrolment starts again,
        # so on-time rates count from now (the weeks of the earlier enrolment drop out of them).
        earlier.categories.all().delete()
        earlier.guardians.all().delete()
        KeyPerson.objects.filter(pk=earlier.pk).update(created_at=timezone.now())
    key_person, _created = KeyPerson.objects.update_or_create(
        resident=resident,
        defaults={
            "unit_path": resident.unit_path,
            "risk_level": risk_level,
            "needs_note": needs_note,
            "responsible": responsible,
            "backup": backup,
            "cadence_days": days,
            "next_contact_due": timezone.localdate(),
            "is_active": True,
            "left_at": None,
            "left_reason": "",
            "emergency_at": None,
        },
    )
    KeyPersonCategory.objects.bulk_create(
        KeyPersonCategory(
            key_person=key_person,
            category=item.category,
            disability_grade=item.disability_grade,
            due_date=item.due_date,
            treatment=treatment,
        )
        for item, treatment in zip(categories, treatments, strict=True)
    )
    Guardian.objects.bulk_create(
        Guardian(key_person=key_person, name=name, relation=relation, phone=phone, sort_order=i)
        for i, (name, relation, phone) in enumerate(guardians)
    )
    audit_record(actor=actor, action="key_person.enrol", obj=key_person, unit_path=key_person.unit_path)
    return key_person


@transaction.atomic
def key_person_reassign(
    *, actor: User, key_person: KeyPerson, responsible: User | None, backup: User | None = None, reason: str
) -> KeyPerson:
    """Hand a key person to another member (结对调整); the old and new member are in the audit event."""
    require_capability(actor, Capability.MANAGE_CARE, key_person.unit_path)
    if not reason.strip():
        raise ServiceError("请填写调整原因", field="reason")
    if len(reason.strip()) > REASSIGN_REASON_LIMIT:
        raise ServiceError(too_long(REASSIGN_REASON_LIMIT), field="reason")
    _check_member(responsible, key_person.unit_path, "结对责任人")
    _check_member(backup, key_person.unit_path, "备用联系人")
    previous = (key_person.responsible_id, key_person.backup_id)
    key_person.responsible = responsible
    key_person.backup = backup
    key_person.save(update_fields=["responsible", "backup", "updated_at"])
    new = [getattr(responsible, "pk", None), getattr(backup, "pk", None)]
    audit_record(
        actor=actor,
        action="key_person.reassign",
        obj=key_person,
        unit_path=key_person.unit_path,
        reason=reason,
        detail={"from": list(previous), "to": new},
    )
    return key_person


@transaction.atomic
def key_person_remove(*, actor: User, key_person: KeyPerson, reason: str) -> KeyPerson:
    """Take a person off the ledger (moved away, recovered, died …) with the reason; audited.

    They leave every worklist at once; their contacts stay, and on-time rates still count the weeks
    before they left.
    """
    require_capability(actor, Capability.MANAGE_CARE, key_person.unit_path)
    reason = limited_text(reason, KeyPerson, "left_reason", name="reason")
    if not reason:
        raise ServiceError("请填写移出原因", field="reason")
    locked = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    if not locked.is_active:
        raise ServiceError("该人员已不在重点人员台账中", field="key_person")
    locked.is_active = False
    locked.left_at = timezone.now()
    locked.left_reason = reason
    locked.emergency_at = None
    locked.save(update_fields=["is_active", "left_at", "left_reason", "emergency_at", "updated_at"])
    audit_record(
        actor=actor, action="key_person.remove", obj=locked, unit_path=locked.unit_path, reason=reason
    )
    return locked


@transaction.atomic
def member_hand_over(*, actor: User, member: User, to: User, reason: str) -> int:
    """A member who leaves hands all their people to `to` before they go; returns how many moved."""
    moved = 0
    for key_person in KeyPerson.objects.select_for_update().filter(responsible=member, is_active=True):
        key_person_reassign(
            actor=actor, key_person=key_person, responsible=to, backup=key_person.backup, reason=reason
        )
        moved += 1
    return moved
