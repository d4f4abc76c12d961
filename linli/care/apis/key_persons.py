"""The /api/v1/ key-person endpoints: the ledger, scoped like the pages, and changing it.

Residents' and guardians' phones are masked on the server; members' work phones are shown in full, as
on a resident's card. Putting a resident on the ledger and changing the pairing take the care managers'
right (MANAGE_CARE); other roles get 403.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.api.paging import Paging
from linli.api.schemas import ProblemOut
from linli.audit.services.reads import audit_read
from linli.care.models import Category, KeyPerson, RiskLevel
from linli.care.selectors.key_persons import (
    can_view_health,
    get_key_person_detail_for_user,
    get_key_person_for_user,
    key_persons_in,
    visible_categories,
)
from linli.care.selectors.units import members_for
from linli.care.services.key_persons import (
    CategoryInput,
    key_person_enrol,
    key_person_reassign,
    key_person_remove,
)
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.lib.phone import PhoneError, normalise_phone
from linli.org.selectors.units import get_area_for_user
from linli.registry.selectors.residents import get_resident_for_user

router = Router()

M = TypeVar("M", bound=Model)


class CategoryOut(Schema):
    category: str
    label: str
    disability_grade: int | None
    due_date: datetime.date | None
    treatment: str


class MemberOut(Schema):
    id: int
    name: str
    phone: str


class GuardianOut(Schema):
    name: str
    relation: str
    phone: str


class KeyPersonOut(Schema):
    """A key person as lists show one: the resident's phone masked."""

    id: int
    resident_id: int
    name: str
    phone: str
    unit_path: str
    categories: list[CategoryOut]
    risk_level: str
    risk_level_label: str
    responsible: MemberOut | None
    cadence_days: int
    next_contact_due: datetime.date
    # Days past the due date today (Asia/Shanghai; on the worklist, on `on`): 0 when due that day,
    # negative when not yet due.
    days_overdue: int
    last_contact_at: datetime.datetime | None
    emergency_at: datetime.datetime | None
    # False for roles without VIEW_HEALTH (PIPL Art. 28): health categories are left out, and grades,
    # due dates, treatments, needs and contact notes are empty.
    health_visible: bool


class KeyPersonDetailOut(KeyPersonOut):
    backup: MemberOut | None
    guardians: list[GuardianOut]
    needs_note: str
    is_active: bool


class KeyPersonFilters(Schema):
    unit: str = ""


class KeyPersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[KeyPersonOut]


def _page(queryset: QuerySet[M], paging: Paging, out: Callable[[M], dict[str, Any]]) -> dict[str, Any]:
    start = (paging.page - 1) * paging.page_size
    items: Iterable[M] = queryset[start : start + paging.page_size]
    return {
        "count": queryset.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": [out(item) for item in items],
    }


def _member(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": str(user), "phone": user.phone}


def _key_person_out(key_person: KeyPerson, user: Any, on: datetime.date | None = None) -> dict[str, Any]:
    resident = key_person.resident
    health = can_view_health(user, key_person.unit_path)
    return {
        "id": key_person.pk,
        "resident_id": resident.pk,
        "name": resident.name,
        "phone": mask_phone(resident.phone),
        "unit_path": key_person.unit_path,
        "categories": [
            {
                "category": c.category,
                "label": c.get_category_display(),
                "disability_grade": c.disability_grade,
                "due_date": c.due_date,
                "treatment": c.treatment,
            }
            for c in visible_categories(key_person.categories.all(), health=health)
        ],
        "risk_level": key_person.risk_level,
        "risk_level_label": key_person.get_risk_level_display(),
        "responsible": _member(key_person.responsible),
        "cadence_days": key_person.cadence_days,
        "next_contact_due": key_person.next_contact_due,
        "days_overdue": ((on or timezone.localdate()) - key_person.next_contact_due).days,
        "last_contact_at": key_person.last_contact_at,
        "emergency_at": key_person.emergency_at,
        "health_visible": health,
    }


def _key_person_detail_out(key_person: KeyPerson, user: Any) -> dict[str, Any]:
    out = _key_person_out(key_person, user)
    return {
        **out,
        "backup": _member(key_person.backup),
        "guardians": [
            {"name": g.name, "relation": g.relation, "phone": mask_phone(g.phone)}
            for g in key_person.guardians.all()
        ],
        "needs_note": key_person.needs_note if out["health_visible"] else "",
        "is_active": key_person.is_active,
    }


def _problem(exc: ServiceError, fields: dict[str, str] | None = None) -> Status[dict[str, Any]]:
    field = (fields or {}).get(exc.field or "", exc.field)
    error = {"loc": ["body", field] if field else ["body"], "msg": exc.message}
    return Status(422, {"detail": exc.message, "errors": [error]})


@router.get("/key-persons", response=KeyPersonPage)
def key_persons(
    request: HttpRequest, filters: Query[KeyPersonFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Key persons on the ledger in scope, by grid; `unit` narrows to a grid, community or station."""
    unit = get_area_for_user(request.user, filters.unit) if filters.unit else None
    queryset = key_persons_in(user=request.user, unit=unit).prefetch_related("categories")
    audit_read(user=request.user, action="key_person.list", unit_path=unit.path if unit else None,
               detail={"page": paging.page})  # fmt: skip
    return _page(queryset, paging, lambda k: _key_person_out(k, request.user))


@router.get("/key-persons/{key_person_id}", response=KeyPersonDetailOut)
def key_person_detail(request: HttpRequest, key_person_id: int) -> dict[str, Any]:
    return _key_person_detail_out(get_key_person_detail_for_user(request.user, key_person_id), request.user)


class CategoryIn(Schema):
    """A care category; 残疾人 needs `disability_grade` (1–4), 孕产妇 `due_date`, the ill a `treatment`."""

    category: str
    disability_grade: int | None = None
    due_date: datetime.date | None = None
    treatment: str = ""

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in Category.values:
            raise PydanticCustomError("category", "类别无效：{value}", {"value": value})
        return value

    @field_validator("treatment")
    @classmethod
    def _treatment(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 100:
            raise PydanticCustomError("too_long", "最多 100 字")
        return value


class GuardianIn(Schema):
    """A guardian or emergency contact; the phone is normalised ("139 0000 1234" → "13900001234")."""

    name: str
    relation: str = ""
    phone: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("name", "请填写监护人姓名")
        if len(value) > 50:
            raise PydanticCustomError("too_long", "最多 50 字")
        return value

    @field_validator("relation")
    @classmethod
    def _relation(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 20:
            raise PydanticCustomError("too_long", "最多 20 字")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        try:
            return normalise_phone(value).number
        except PhoneError as exc:
            raise PydanticCustomError("phone", "监护人电话：{message}", {"message": exc.message}) from None


# A love card prints every guardian's phone; more than a few would not fit.
MAX_GUARDIANS = 5


class KeyPersonIn(Schema):
    """A resident to put on the ledger, with whom to pair them (members who log contacts in the grid)."""

    resident_id: int
    categories: list[CategoryIn]
    risk_level: str = RiskLevel.LOW
    responsible_id: int | None = None
    backup_id: int | None = None
    needs_note: str = ""
    guardians: list[GuardianIn] = []

    @field_validator("risk_level")
    @classmethod
    def _risk_level(cls, value: str) -> str:
        if value not in RiskLevel.values:
            raise PydanticCustomError("risk_level", "风险等级应为 low（低）、medium（中）或 high（高）")
        return value

    @field_validator("needs_note")
    @classmethod
    def _needs_note(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 500:
            raise PydanticCustomError("too_long", "最多 500 字")
        return value

    @field_validator("guardians")
    @classmethod
    def _guardians(cls, value: list[GuardianIn]) -> list[GuardianIn]:
        if len(value) > MAX_GUARDIANS:
            raise PydanticCustomError(
                "guardians", "最多登记 {limit} 位监护人/紧急联系人", {"limit": MAX_GUARDIANS}
            )
        return value


class ReassignIn(Schema):
    """The new pairing; `responsible_id: null` leaves the person without a member (on the handover list)."""

    responsible_id: int | None
    backup_id: int | None = None
    reason: str = ""

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 200:
            raise PydanticCustomError("too_long", "最多 200 字")
        return value


# The services name the model's fields; the API's body names the ids.
_BODY_FIELDS = {"resident": "resident_id", "responsible": "responsible_id", "backup": "backup_id"}


def _require_care_management(user: Any, path: str) -> None:
    """Roles that may read but not manage the ledger (grid workers, auditors) get 403 before any service."""
    if not scope_for(user).can(Capability.MANAGE_CARE, path):
        raise PermissionDenied


def _pairing_member(member_id: int | None, path: str, field: str, what: str) -> User | None:
    """A member who logs contacts at `path`; any other id (unknown, elsewhere, read-only) is the same 422."""
    if member_id is None:
        return None
    member = members_for(path).filter(pk=member_id).first()
    if member is None:
        raise ServiceError(f"{what}须是在该网格负责联系工作的人员", field=field)
    return member


@router.post("/key-persons", response={201: KeyPersonDetailOut, 422: ProblemOut})
def key_person_create(request: HttpRequest, body: KeyPersonIn) -> Status[dict[str, Any]]:
    """Put a resident on the key-person ledger; the first contact is due today.

    404 for a resident outside the caller's scope, 403 for roles that do not manage care.
    """
    resident = get_resident_for_user(request.user, body.resident_id)
    _require_care_management(request.user, resident.unit_path)
    try:
        key_person = key_person_enrol(
            actor=request.user,
            resident=resident,
            categories=[
                CategoryInput(
                    category=c.category,
                    disability_grade=c.disability_grade,
                    due_date=c.due_date,
                    treatment=c.treatment,
                )
                for c in body.categories
            ],
            risk_level=body.risk_level,
            responsible=_pairing_member(body.responsible_id, resident.unit_path, "responsible", "结对责任人"),
            backup=_pairing_member(body.backup_id, resident.unit_path, "backup", "备用联系人"),
            needs_note=body.needs_note,
            guardians=[(g.name, g.relation, g.phone) for g in body.guardians],
        )
    except ServiceError as exc:
        return _problem(exc, _BODY_FIELDS)
    return Status(201, _key_person_detail_out(key_person, request.user))


@router.post("/key-persons/{key_person_id}/reassign", response={200: KeyPersonDetailOut, 422: ProblemOut})
def key_person_reassign_endpoint(
    request: HttpRequest, key_person_id: int, body: ReassignIn
) -> Status[dict[str, Any]]:
    """Change who is paired with a key person (结对调整), for a reason; the audit event keeps old and new."""
    key_person = get_key_person_for_user(request.user, key_person_id)
    path = key_person.unit_path
    _require_care_management(request.user, path)
    try:
        key_person = key_person_reassign(
            actor=request.user,
            key_person=key_person,
            responsible=_pairing_member(body.responsible_id, path, "responsible", "结对责任人"),
            backup=_pairing_member(body.backup_id, path, "backup", "备用联系人"),
            reason=body.reason,
        )
    except ServiceError as exc:
        return _problem(exc, _BODY_FIELDS)
    return Status(200, _key_person_detail_out(key_person, request.user))


class RemoveIn(Schema):
    reason: str


@router.post("/key-persons/{key_person_id}/remove", response={200: KeyPersonDetailOut, 422: ProblemOut})
def key_person_remove_endpoint(
    request: HttpRequest, key_person_id: int, body: RemoveIn
) -> Status[dict[str, Any]]:
    """Take a person off the ledger with the reason (moved away, recovered, died); audited."""
    key_person = get_key_person_for_user(request.user, key_person_id)
    _require_care_management(request.user, key_person.unit_path)
    try:
        key_person = key_person_remove(actor=request.user, key_person=key_person, reason=body.reason)
    except ServiceError as exc:
        return _problem(exc, _BODY_FIELDS)
    return Status(200, _key_person_detail_out(key_person, request.user))
