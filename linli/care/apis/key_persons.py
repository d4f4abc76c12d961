"""The /api/v1/ key-person endpoints: the ledger, scoped like the pages, and changing it.

Residents' and guardians' phones are masked on the server; members' work phones are shown in full, as
on a resident's card. Putting a resident on the ledger and changing the pairing take the care managers'
right (MANAGE_CARE); other roles get 403.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.accounts.models import Capability, User
from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import ProblemOut, choices_of, text_limits
from linli.audit.services.reads import audit_read
from linli.care.models import Category, Guardian, KeyPerson, KeyPersonCategory, RiskLevel
from linli.care.selectors.key_persons import (
    can_view_health,
    get_key_person_detail_for_user,
    get_key_person_for_user,
    key_persons_in,
    visible_categories,
)
from linli.care.selectors.units import members_for
from linli.care.services.key_persons import (
    REASSIGN_REASON_LIMIT,
    CategoryInput,
    key_person_enrol,
    key_person_reassign,
    key_person_remove,
)
from linli.core.errors import ServiceError
from linli.core.limits import too_long
from linli.core.masking import mask_phone
from linli.core.users import signed_in
from linli.lib.phone import PhoneError, normalise_phone
from linli.org.selectors.units import get_area_for_user, require_right
from linli.registry.selectors.residents import get_resident_for_user

router = Router()


class CategoryOut(Schema):
    category: Annotated[str, choices_of(Category)]
    label: str = Field(alias="get_category_display")
    disability_grade: int | None
    due_date: datetime.date | None
    treatment: str


class MemberOut(Schema):
    id: int
    name: str
    phone: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)


class GuardianOut(Schema):
    name: str
    relation: str
    phone: str

    @staticmethod
    def resolve_phone(obj: Guardian) -> str:
        return mask_phone(obj.phone)


class KeyPersonOut(Schema):
    """A key person as lists show one: the resident's phone masked."""

    id: int
    resident_id: int
    name: str = Field(alias="resident.name")
    phone: str
    unit_path: str
    categories: list[CategoryOut]
    risk_level: Annotated[str, choices_of(RiskLevel)]
    risk_level_label: str = Field(alias="get_risk_level_display")
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

    @staticmethod
    def resolve_phone(obj: KeyPerson) -> str:
        return mask_phone(obj.resident.phone)

    @staticmethod
    def resolve_categories(obj: KeyPerson, context: dict[str, Any]) -> list[KeyPersonCategory]:
        return visible_categories(obj.categories.all(), health=_health(obj, context))

    @staticmethod
    def resolve_days_overdue(obj: KeyPerson, context: dict[str, Any]) -> int:
        return (answered_on(context["request"]) - obj.next_contact_due).days

    @staticmethod
    def resolve_health_visible(obj: KeyPerson, context: dict[str, Any]) -> bool:
        return _health(obj, context)


class KeyPersonDetailOut(KeyPersonOut):
    backup: MemberOut | None
    guardians: list[GuardianOut]
    needs_note: str
    is_active: bool

    @staticmethod
    def resolve_needs_note(obj: KeyPerson, context: dict[str, Any]) -> str:
        return obj.needs_note if _health(obj, context) else ""


def _health(key_person: KeyPerson, context: dict[str, Any]) -> bool:
    # The caller's scope is cached on the user: no query per key person.
    return can_view_health(context["request"].user, key_person.unit_path)


# The day a list is answered for: `days_overdue` counts to it. Today, unless the endpoint sets another
# (the worklist's `on`) with `answer_on`.
_ANSWERED_ON = "_linli_care_answered_on"


def answer_on(request: HttpRequest, day: datetime.date) -> None:
    setattr(request, _ANSWERED_ON, day)


def answered_on(request: HttpRequest) -> datetime.date:
    day: datetime.date | None = getattr(request, _ANSWERED_ON, None)
    return day or timezone.localdate()


class KeyPersonFilters(Schema):
    unit: str = ""


class KeyPersonPage(Page[KeyPersonOut]):
    pass


@router.get("/key-persons", response=KeyPersonPage)
def key_persons(
    request: HttpRequest, filters: Query[KeyPersonFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Key persons on the ledger in scope, by grid; `unit` narrows to a grid, community or station."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, filters.unit) if filters.unit else None
    queryset = key_persons_in(user=user, unit=unit).prefetch_related("categories")
    audit_read(user=user, action="key_person.list", unit_path=unit.path if unit else None,
               detail={"page": paging.page})  # fmt: skip
    return page_of(queryset, paging)


@router.get("/key-persons/{key_person_id}", response=KeyPersonDetailOut)
def key_person_detail(request: HttpRequest, key_person_id: int) -> KeyPerson:
    user = signed_in(request.user)
    return get_key_person_detail_for_user(user, key_person_id)


class CategoryIn(Schema):
    """A care category; 残疾人 needs `disability_grade` (1–4), 孕产妇 `due_date`, the ill a `treatment`."""

    category: Annotated[str, choices_of(Category)]
    disability_grade: int | None = None
    due_date: datetime.date | None = None
    treatment: str = ""

    _texts = text_limits(KeyPersonCategory, "treatment")

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in Category.values:
            raise PydanticCustomError("category", "类别无效：{value}", {"value": value})
        return value


class GuardianIn(Schema):
    """A guardian or emergency contact; the phone is normalised ("139 0000 1234" → "13900001234")."""

    name: str
    relation: str = ""
    phone: str

    _texts = text_limits(Guardian, "name", "relation")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("name", "请填写监护人姓名")
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
    risk_level: Annotated[str, choices_of(RiskLevel)] = RiskLevel.LOW
    responsible_id: int | None = None
    backup_id: int | None = None
    needs_note: str = ""
    guardians: list[GuardianIn] = []

    _texts = text_limits(KeyPerson, "needs_note")

    @field_validator("risk_level")
    @classmethod
    def _risk_level(cls, value: str) -> str:
        if value not in RiskLevel.values:
            raise PydanticCustomError("risk_level", "风险等级应为 low（低）、medium（中）或 high（高）")
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
        if len(value) > REASSIGN_REASON_LIMIT:
            raise PydanticCustomError("too_long", too_long(REASSIGN_REASON_LIMIT))
        return value


def _pairing_member(member_id: int | None, path: str, field: str, what: str) -> User | None:
    """A member who logs contacts at `path`; any other id (unknown, elsewhere, read-only) is the same 422."""
    if member_id is None:
        return None
    member = members_for(path).filter(pk=member_id).first()
    if member is None:
        raise ServiceError(f"{what}须是在该网格负责联系工作的人员", field=field)
    return member


@router.post("/key-persons", response={201: KeyPersonDetailOut, 422: ProblemOut})
def key_person_create(request: HttpRequest, body: KeyPersonIn) -> Status[KeyPerson]:
    """Put a resident on the key-person ledger; the first contact is due today.

    404 for a resident outside the caller's scope, 403 for roles that do not manage care.
    """
    user = signed_in(request.user)
    resident = get_resident_for_user(user, body.resident_id)
    require_right(user, Capability.MANAGE_CARE, resident.unit_path)
    key_person = key_person_enrol(
        actor=user,
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
    return Status(201, key_person)


@router.post("/key-persons/{key_person_id}/reassign", response={200: KeyPersonDetailOut, 422: ProblemOut})
def key_person_reassign_endpoint(
    request: HttpRequest, key_person_id: int, body: ReassignIn
) -> Status[KeyPerson]:
    """Change who is paired with a key person (结对调整), for a reason; the audit event keeps old and new."""
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    path = key_person.unit_path
    require_right(user, Capability.MANAGE_CARE, path)
    key_person = key_person_reassign(
        actor=user,
        key_person=key_person,
        responsible=_pairing_member(body.responsible_id, path, "responsible", "结对责任人"),
        backup=_pairing_member(body.backup_id, path, "backup", "备用联系人"),
        reason=body.reason,
    )
    return Status(200, key_person)


class RemoveIn(Schema):
    reason: str


@router.post("/key-persons/{key_person_id}/remove", response={200: KeyPersonDetailOut, 422: ProblemOut})
def key_person_remove_endpoint(request: HttpRequest, key_person_id: int, body: RemoveIn) -> Status[KeyPerson]:
    """Take a person off the ledger with the reason (moved away, recovered, died); audited."""
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    require_right(user, Capability.MANAGE_CARE, key_person.unit_path)
    key_person = key_person_remove(actor=user, key_person=key_person, reason=body.reason)
    return Status(200, key_person)
