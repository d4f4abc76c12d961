"""The /api/v1/ resident endpoints: scoped and masked like the pages; an ID number only in a POST body."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import choices_of
from linli.audit.services.reads import audit_read, search_terms
from linli.core.limits import text_limit
from linli.core.masking import age_of, mask_id_number, mask_phone
from linli.lib.idcard import IdNumberError, parse_id_number
from linli.registry.models import Resident
from linli.registry.selectors.residents import (
    get_resident_for_user,
    residents_search,
    residents_visible_to,
)

router = Router(tags=["一标三实"])

# Stripped, then held to the table's limit, as the page's form does.
_NAME = StringConstraints(strip_whitespace=True, max_length=text_limit(Resident, "name"))


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class _NameAndPhone(Schema):
    name: Annotated[str, _NAME] = ""
    phone_last4: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _nfkc(value).replace(" ", "")

    @field_validator("phone_last4")
    @classmethod
    def _phone_last4(cls, value: str) -> str:
        value = _nfkc(value)
        if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise PydanticCustomError("phone_last4", "电话后四位应为4位数字")
        return value


class ResidentFilters(_NameAndPhone):
    """Name (prefix) and the last four digits of a phone: safe in a query string."""

    # Only here to be refused: a caller who puts a number in a URL must not get the unfiltered list.
    id_number: str = ""

    @field_validator("id_number")
    @classmethod
    def _no_id_number(cls, value: str) -> str:
        if value:
            raise PydanticCustomError(
                "id_number", "身份证号不能放在网址中，请用 POST residents/search 在请求体中提交"
            )
        return value


class ResidentSearchIn(_NameAndPhone):
    """Search by name (prefix), the last four digits of a phone, or a full ID number (wins if given)."""

    id_number: str = ""

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return parse_id_number(value).number
        except IdNumberError as exc:
            raise PydanticCustomError("id_number", exc.message) from None

    @model_validator(mode="after")
    def _something(self) -> ResidentSearchIn:
        if not (self.name or self.phone_last4 or self.id_number):
            raise PydanticCustomError("empty", "请提供姓名、电话后四位或身份证号")
        return self


class ResidentOut(Schema):
    """A resident as lists show one: ID and phone numbers masked on the server."""

    id: int
    name: str
    id_number: str
    phone: str
    residence_type: Annotated[Resident.ResidenceType, choices_of(Resident.ResidenceType)]
    residence_type_label: str = Field(alias="get_residence_type_display")
    address: str
    status: Annotated[Resident.Status, choices_of(Resident.Status)]
    status_label: str = Field(alias="get_status_display")

    @staticmethod
    def resolve_id_number(resident: Resident) -> str:
        return mask_id_number(resident.id_number or "")

    @staticmethod
    def resolve_phone(resident: Resident) -> str:
        return mask_phone(resident.phone)

    @staticmethod
    def resolve_address(resident: Resident) -> str:
        return str(resident.address) if resident.address_id and resident.address else ""


class ResidentDetailOut(ResidentOut):
    document_kind: Annotated[Resident.DocumentKind, choices_of(Resident.DocumentKind)]
    document_kind_label: str = Field(alias="get_document_kind_display")
    sex: Annotated[Resident.Sex, choices_of(Resident.Sex)]
    # 周岁, never the birth date: the masked digits of the ID number are the birth date.
    age: int | None
    address_id: int | None
    reported_address: str
    household_number: str
    relation_to_head: str
    unit_path: str

    @staticmethod
    def resolve_age(resident: Resident) -> int | None:
        return age_of(resident.birth_date)


class ResidentPage(Page[ResidentOut]):
    pass


@router.get("/residents", response=ResidentPage)
def residents(request: HttpRequest, filters: Query[ResidentFilters], paging: Query[Paging]) -> dict[str, Any]:
    """Residents in scope, masked; `name` (prefix) and `phone_last4` narrow the list."""
    if filters.name or filters.phone_last4:
        queryset = residents_search(user=request.user, name=filters.name, phone_last4=filters.phone_last4)
    else:
        queryset = residents_visible_to(user=request.user).order_by("unit_path", "name", "id")
    terms = search_terms(name=filters.name, phone_last4=filters.phone_last4)
    action = "resident.search" if filters.name or filters.phone_last4 else "resident.list"
    audit_read(user=request.user, action=action, detail={**terms, "page": paging.page})
    return page_of(queryset, paging)


@router.post("/residents/search", response=ResidentPage)
def residents_search_post(
    request: HttpRequest, body: ResidentSearchIn, paging: Query[Paging]
) -> dict[str, Any]:
    """The search of the pages; a full ID number goes here, in the body, never in a URL."""
    queryset = residents_search(
        user=request.user, name=body.name, phone_last4=body.phone_last4, id_number=body.id_number
    )
    terms = search_terms(name=body.name, phone_last4=body.phone_last4, id_number=body.id_number)
    audit_read(user=request.user, action="resident.search", detail={**terms, "page": paging.page})
    return page_of(queryset, paging)


@router.get("/residents/{resident_id}", response=ResidentDetailOut)
def resident_detail(request: HttpRequest, resident_id: int) -> Resident:
    """One resident, masked; every read is audited (resident.view)."""
    return get_resident_for_user(request.user, resident_id)
