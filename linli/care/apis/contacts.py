"""The /api/v1/ contact endpoints: a key person's contact history, logging a contact."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import ProblemOut, choices_of, text_limits
from linli.care.models import Contact
from linli.care.selectors.contacts import get_key_person_for_contact, key_person_contacts
from linli.care.selectors.key_persons import can_view_health, get_key_person_detail_for_user
from linli.care.services.contacts import contact_log
from linli.core.users import signed_in

router = Router()


class ContactOut(Schema):
    """A contact; for roles without VIEW_HEALTH its notes (outcome, needs found) are withheld."""

    id: int
    key_person_id: int
    occurred_at: datetime.datetime
    kind: Annotated[str, choices_of(Contact.Kind)]
    kind_label: str = Field(alias="get_kind_display")
    reached: bool
    outcome: str
    needs_found: str
    hazards_found: str
    is_emergency: bool
    companions: str
    recorded_by: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_outcome(obj: Contact, context: dict[str, Any]) -> str:
        return obj.outcome if _health(obj, context) else ""

    @staticmethod
    def resolve_needs_found(obj: Contact, context: dict[str, Any]) -> str:
        return obj.needs_found if _health(obj, context) else ""

    @staticmethod
    def resolve_recorded_by(obj: Contact) -> str:
        return str(obj.recorded_by)


def _health(contact: Contact, context: dict[str, Any]) -> bool:
    # The caller's scope is cached on the user: no query per contact.
    return can_view_health(context["request"].user, contact.key_person.unit_path)


class ContactIn(Schema):
    """A contact to log. A time without an offset is Asia/Shanghai wall-clock time; none means now."""

    kind: Annotated[str, choices_of(Contact.Kind)]
    occurred_at: datetime.datetime | None = None
    reached: bool = True
    outcome: str = ""
    needs_found: str = ""
    hazards_found: str = ""
    is_emergency: bool = False
    companions: str = ""

    _texts = text_limits(Contact, "outcome", "needs_found", "hazards_found", "companions")

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


class ContactPage(Page[ContactOut]):
    pass


@router.get("/key-persons/{key_person_id}/contacts", response=ContactPage)
def key_person_contact_list(
    request: HttpRequest, key_person_id: int, paging: Query[Paging]
) -> dict[str, Any]:
    """The contact history, newest first."""
    user = signed_in(request.user)
    key_person = get_key_person_detail_for_user(user, key_person_id)
    return page_of(key_person_contacts(key_person=key_person), paging)


@router.post("/key-persons/{key_person_id}/contacts", response={201: ContactOut, 422: ProblemOut})
def key_person_contact_log(request: HttpRequest, key_person_id: int, body: ContactIn) -> Status[Contact]:
    """Log a contact: a reached one moves the due date on; 403 for roles that only read."""
    user = signed_in(request.user)
    key_person = get_key_person_for_contact(user, key_person_id)
    contact = contact_log(
        actor=user,
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
    return Status(201, contact)
