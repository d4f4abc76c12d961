"""The /api/v1/ care endpoints: key persons, their contacts and the contact worklist, scoped like the pages.

Residents' and guardians' phones are masked on the server; members' work phones are shown in full, as
on a resident's card.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.care.models import Contact, KeyPerson
from linli.care.selectors import (
    contacts_due,
    get_key_person_detail_for_user,
    get_key_person_for_contact,
    get_unit_for_care,
    key_person_contacts,
    key_persons_in,
)
from linli.care.services import contact_log
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.registry.apis import Paging

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


class ProblemOut(Schema):
    detail: str
    errors: list[dict[str, Any]]


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


def _key_person_out(key_person: KeyPerson, on: datetime.date | None = None) -> dict[str, Any]:
    resident = key_person.resident
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
            for c in key_person.categories.all()
        ],
        "risk_level": key_person.risk_level,
        "risk_level_label": key_person.get_risk_level_display(),
        "responsible": _member(key_person.responsible),
        "cadence_days": key_person.cadence_days,
        "next_contact_due": key_person.next_contact_due,
        "days_overdue": ((on or timezone.localdate()) - key_person.next_contact_due).days,
        "last_contact_at": key_person.last_contact_at,
        "emergency_at": key_person.emergency_at,
    }


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "key_person_id": contact.key_person_id,
        "occurred_at": contact.occurred_at,
        "kind": contact.kind,
        "kind_label": contact.get_kind_display(),
        "reached": contact.reached,
        "outcome": contact.outcome,
        "needs_found": contact.needs_found,
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
    return _page(queryset, paging, _key_person_out)


@router.get("/key-persons/{key_person_id}", response=KeyPersonDetailOut)
def key_person_detail(request: HttpRequest, key_person_id: int) -> dict[str, Any]:
    key_person = get_key_person_detail_for_user(request.user, key_person_id)
    return {
        **_key_person_out(key_person),
        "backup": _member(key_person.backup),
        "guardians": [
            {"name": g.name, "relation": g.relation, "phone": mask_phone(g.phone)}
            for g in key_person.guardians.all()
        ],
        "needs_note": key_person.needs_note,
        "is_active": key_person.is_active,
    }


@router.get("/key-persons/{key_person_id}/contacts", response=ContactPage)
def key_person_contact_list(
    request: HttpRequest, key_person_id: int, paging: Query[Paging]
) -> dict[str, Any]:
    """The contact history, newest first."""
    key_person = get_key_person_detail_for_user(request.user, key_person_id)
    return _page(key_person_contacts(key_person=key_person), paging, _contact_out)


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
    return Status(201, _contact_out(contact))


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
    return _page(queryset.prefetch_related("categories"), paging, lambda k: _key_person_out(k, on))
