"""The /api/v1/ contact endpoints: a key person's contact history, logging a contact."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.api.paging import Paging
from linli.api.schemas import ProblemOut
from linli.care.apis.key_persons import _page
from linli.care.models import Contact
from linli.care.selectors.contacts import get_key_person_for_contact, key_person_contacts
from linli.care.selectors.key_persons import can_view_health, get_key_person_detail_for_user
from linli.care.services.contacts import contact_log
from linli.core.errors import ServiceError

router = Router()


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


class ContactPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ContactOut]


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
