"""The /api/v1/ care endpoints: key persons, their contacts and the contact worklist, scoped like the pages.

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

from linli.accounts.models import User
from linli.api.schemas import ProblemOut
from linli.audit.reads import audit_read
from linli.care.models import Category, Contact, KeyPerson, RiskLevel
from linli.care.selectors.contacts import get_key_person_for_contact, key_person_contacts
from linli.care.selectors.key_persons import (
    can_view_health,
    get_key_person_detail_for_user,
    get_key_person_for_user,
    key_persons_in,
    visible_categories,
)
from linli.care.selectors.units import get_unit_for_care, members_for
from linli.care.selectors.worklists import contacts_due
from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import (
    CategoryInput,
    key_person_enrol,
    key_person_reassign,
    key_person_remove,
)
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.lib.phone import PhoneError, normalise_phone
from linli.registry.apis import Paging
from linli.registry.selectors import get_resident_for_user

router = Router(tags=["困难群体关爱"])

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


class ContactOut(Schema):
    id: int
    key_person_id: int
    occurred_at: datetime.datetime
    kind: str
    kind_label: str
    reached: bool
    outcome: str
    needs_found: str
    hazards_found: str
    is_emergency: bool
    companions: str
    recorded_by: str
    created_at: datetime.datetime


class ContactIn(Schema):
    """A contact to log. A time without an offset is Asia/Shanghai wall-clock time; none means now."""

    kind: str
    occurred_at: datetime.datetime | None = None
    reached: bool = True
    outcome: str = ""
    needs_found: str = ""
    hazards_found: str = ""
    is_emergency: bool = False
    companions: str = ""

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in Contact.Kind.values:
            raise PydanticCustomError(
                "kind", "联系方式应为 visit（上门）、phone（电话）、wechat（微信）或 video（视频）"
            )
        return value

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value, timezone.get_default_timezone())
        return value

    @field_validator("outcome", "needs_found", "hazards_found")
    @classmethod
    def _long_text(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 500:
            raise PydanticCustomError("too_long", "最多 500 字")
        return value

    @field_validator("companions")
    @classmethod
    def _companions(cls, value: str) -> str:
        value = value.strip()
        if len(value) > 200:
            raise PydanticCustomError("too_long", "最多 200 字")
        return value


class KeyPersonFilters(Schema):
    unit: str = ""


class WorklistFilters(Schema):
    mine: bool = False
    unit: str = ""
    on: str = ""

    @field_validator("on")
    @classmethod
    def _on(cls, value: str) -> str:
        if value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError("on", "日期格式应为 YYYY-MM-DD") from None
        return value


class KeyPersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[KeyPersonOut]


class ContactPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ContactOut]


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


def _contact_out(contact: Contact, *, health: bool) -> dict[str, Any]:
    """A contact; without `health` its notes (outcome, needs found) are withheld."""
    return {
        "id": contact.pk,
        "key_person_id": contact.key_person_id,
        "occurred_at": contact.occurred_at,
        "kind": contact.kind,
        "kind_label": contact.get_kind_display(),
        "reached": contact.reached,
        "outcome": contact.outcome if health else "",
        "needs_found": contact.needs_found if health else "",
        "hazards_found": contact.hazards_found,
        "is_emergency": contact.is_emergency,
        "companions": contact.companions,
        "recorded_by": str(contact.recorded_by),
        "created_at": contact.created_at,
    }


@router.get("/key-persons", response=KeyPersonPage)
def key_persons(
    request: HttpRequest, filters: Query[KeyPersonFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Key persons on the ledger in scope, by grid; `unit` narrows to a grid, community or station."""
    unit = get_unit_for_care(request.user, filters.unit) if filters.unit else None
    queryset = key_persons_in(user=request.user, unit=unit).prefetch_related("categories")
    audit_read(user=request.user, action="key_person.list", unit_path=unit.path if unit else None,
               detail={"page": paging.page})  # fmt: skip
    return _page(queryset, paging, lambda k: _key_person_out(k, request.user))


@router.get("/key-persons/{key_person_id}", response=KeyPersonDetailOut)
def key_person_detail(request: HttpRequest, key_person_id: int) -> dict[str, Any]:
    return _key_person_detail_out(get_key_person_detail_for_user(request.user, key_person_id), request.user)


@router.get("/key-persons/{key_person_id}/contacts", response=ContactPage)
def key_person_contact_list(
    request: HttpRequest, key_person_id: int, paging: Query[Paging]
) -> dict[str, Any]:
    """The contact history, newest first."""
    key_person = get_key_person_detail_for_user(request.user, key_person_id)
    health = can_view_health(request.user, key_person.unit_path)
    return _page(key_person_contacts(key_person=key_person), paging, lambda c: _contact_out(c, health=health))


@router.post("/key-persons/{key_person_id}/contacts", response={201: ContactOut, 422: ProblemOut})
def key_person_contact_log(
    request: HttpRequest, key_person_id: int, body: ContactIn
) -> Status[dict[str, Any]]:
    """Log a contact: a reached one moves the due date on; 403 for roles that only read."""
    key_person = get_key_person_for_contact(request.user, key_person_id)
    try:
        contact = contact_log(
            actor=request.user,
            key_person=key_person,
            occurred_at=body.occurred_at or timezone.now(),
            kind=body.kind,
            reached=body.reached,
            outcome=body.outcome,
            needs_found=body.needs_found,
            hazards_found=body.hazards_found,
            is_emergency=body.is_emergency,
            companions=body.companions,
        )
    except ServiceError as exc:
        error = {"loc": ["body", exc.field] if exc.field else ["body"], "msg": exc.message}
        return Status(422, {"detail": exc.message, "errors": [error]})
    return Status(201, _contact_out(contact, health=can_view_health(request.user, key_person.unit_path)))


@router.get("/worklists/contacts-due", response=KeyPersonPage)
def worklist_contacts_due(
    request: HttpRequest, filters: Query[WorklistFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Who must be contacted by `on` (default today): emergencies first, then most overdue, then risk.

    `mine=true` narrows to the caller's own people, `unit` to a grid, community or station.
    """
    unit = get_unit_for_care(request.user, filters.unit) if filters.unit else None
    on = datetime.date.fromisoformat(filters.on) if filters.on else timezone.localdate()
    queryset = contacts_due(user=request.user, on=on, unit=unit, mine=filters.mine)
    audit_read(user=request.user, action="key_person.list", unit_path=unit.path if unit else None,
               detail={"list": "today" if filters.mine else "", "page": paging.page})  # fmt: skip
    return _page(
        queryset.prefetch_related("categories"), paging, lambda k: _key_person_out(k, request.user, on)
    )


# Putting a resident on the ledger and changing the pairing (C1, C3).


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
    from linli.accounts.roles import Capability
    from linli.accounts.selectors import scope_for

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


# Census sweeps (C2).


class SweepIn(Schema):
    unit: str
    kind: str
    title: str
    building_key: str = ""


class SweepOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    unit: str
    state: str
    households: int
    unaccounted: int
    by_outcome: dict[str, int]
    started_at: datetime.datetime
    closed_at: datetime.datetime | None
    close_reason: str


class HouseholdOut(Schema):
    id: int
    address: str
    outcome: str
    outcome_label: str


class SweepDetailOut(SweepOut):
    unvisited: list[HouseholdOut]


class HouseholdMarkIn(Schema):
    outcome: str
    note: str = ""
    new_key_persons: int = 0


class SweepCloseIn(Schema):
    reason: str = ""


def _sweep_out(sweep: Any) -> dict[str, Any]:
    from linli.care.selectors.sweeps import sweep_coverage

    coverage = sweep_coverage(sweep=sweep)
    return {
        "id": sweep.pk,
        "title": sweep.title,
        "kind": sweep.kind,
        "kind_label": sweep.get_kind_display(),
        "unit": sweep.unit.code,
        "state": sweep.state,
        "households": coverage.total,
        "unaccounted": coverage.unaccounted,
        "by_outcome": coverage.by_outcome,
        "started_at": sweep.started_at,
        "closed_at": sweep.closed_at,
        "close_reason": sweep.close_reason,
    }


def _require_contact_work(user: Any, path: str) -> None:
    """Read-only roles (auditors) get 403 before any service runs; the services check again."""
    from linli.accounts.roles import Capability
    from linli.accounts.selectors import scope_for

    if not scope_for(user).can(Capability.LOG_CONTACTS, path):
        raise PermissionDenied


def _problem(exc: ServiceError, fields: dict[str, str] | None = None) -> Status[dict[str, Any]]:
    field = (fields or {}).get(exc.field or "", exc.field)
    error = {"loc": ["body", field] if field else ["body"], "msg": exc.message}
    return Status(422, {"detail": exc.message, "errors": [error]})


@router.get("/sweeps", response=list[SweepOut])
def sweep_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Sweeps in the user's units, newest first (the latest 100)."""
    from linli.care.selectors.sweeps import sweeps_visible_to

    return [_sweep_out(s) for s in sweeps_visible_to(user=request.user).select_related("unit")[:100]]


@router.post("/sweeps", response={201: SweepOut, 422: ProblemOut})
def sweep_create(request: HttpRequest, body: SweepIn) -> Status[dict[str, Any]]:
    from linli.care.services.sweeps import sweep_start

    unit = get_unit_for_care(request.user, body.unit)
    _require_contact_work(request.user, unit.path)
    try:
        sweep = sweep_start(
            actor=request.user, unit=unit, kind=body.kind, title=body.title, building_key=body.building_key
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(201, _sweep_out(sweep))


@router.get("/sweeps/{sweep_id}", response=SweepDetailOut)
def sweep_detail(request: HttpRequest, sweep_id: int) -> dict[str, Any]:
    """A sweep's coverage and exactly which households are still unaccounted for."""
    from linli.care.selectors.sweeps import get_sweep_for_user, sweep_unvisited

    sweep = get_sweep_for_user(request.user, sweep_id)
    audit_read(user=request.user, action="sweep.view", obj=sweep, unit_path=sweep.unit_path)
    unvisited = [
        {
            "id": h.pk,
            "address": h.address.full_text,
            "outcome": h.outcome,
            "outcome_label": h.get_outcome_display(),
        }
        for h in sweep_unvisited(sweep=sweep)[:1000]
    ]
    return {**_sweep_out(sweep), "unvisited": unvisited}


@router.post("/sweeps/{sweep_id}/households/{household_id}", response={200: HouseholdOut, 422: ProblemOut})
def sweep_household_mark(
    request: HttpRequest, sweep_id: int, household_id: int, body: HouseholdMarkIn
) -> Status[dict[str, Any]]:
    from django.http import Http404

    from linli.care.selectors.sweeps import get_sweep_for_user
    from linli.care.services.sweeps import sweep_mark

    sweep = get_sweep_for_user(request.user, sweep_id)
    household = sweep.households.select_related("address", "sweep").filter(pk=household_id).first()
    if household is None:
        raise Http404
    _require_contact_work(request.user, household.unit_path)
    try:
        household = sweep_mark(
            actor=request.user,
            household=household,
            outcome=body.outcome,
            note=body.note,
            new_key_persons=body.new_key_persons,
        )
    except ServiceError as exc:
        return _problem(exc)
    return Status(
        200,
        {
            "id": household.pk,
            "address": household.address.full_text,
            "outcome": household.outcome,
            "outcome_label": household.get_outcome_display(),
        },
    )


@router.post("/sweeps/{sweep_id}/close", response={200: SweepOut, 422: ProblemOut})
def sweep_close_endpoint(request: HttpRequest, sweep_id: int, body: SweepCloseIn) -> Status[dict[str, Any]]:
    """Close a sweep; with households unaccounted for only a supervisor may, with a reason."""
    from linli.care.selectors.sweeps import get_sweep_for_user
    from linli.care.services.sweeps import sweep_close

    sweep = get_sweep_for_user(request.user, sweep_id)
    _require_contact_work(request.user, sweep.unit_path)
    try:
        sweep = sweep_close(actor=request.user, sweep=sweep, reason=body.reason)
    except ServiceError as exc:
        return _problem(exc)
    return Status(200, _sweep_out(sweep))


# The love card's public view (C6): no login; the same page data a finder sees.


class GuardianPhoneOut(Schema):
    relation: str
    phone: str


class FinderOut(Schema):
    given_name: str
    guardian_phones: list[GuardianPhoneOut]
    station_name: str
    station_phone: str


@router.get("/love-cards/{token}", auth=None, response=FinderOut)
def love_card_public(request: HttpRequest, token: str) -> dict[str, Any]:
    """What a finder's app sees for a card's token; the scan is logged and alerts like the page."""
    from linli.care.services.love_cards import love_card_scan

    view = love_card_scan(
        token=token,
        client_address=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return {
        "given_name": view.given_name,
        "guardian_phones": [{"relation": r, "phone": p} for r, p in view.guardian_phones],
        "station_name": view.station_name,
        "station_phone": view.station_phone,
    }
