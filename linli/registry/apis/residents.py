"""The /api/v1/ resident endpoints: scoped and masked like the pages; an ID number only in a POST body."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError

from linli.api.paging import Paging
from linli.audit.services.reads import audit_read, search_terms
from linli.core.masking import age_of
from linli.lib.idcard import IdNumberError, parse_id_number
from linli.registry.models import Resident
from linli.registry.selectors.residents import (
    get_resident_for_user,
    resident_row,
    residents_search,
    residents_visible_to,
)

router = Router(tags=["一标三实"])

M = TypeVar("M", bound=Model)


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class _NameAndPhone(Schema):
    name: str = ""
    phone_last4: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = _nfkc(value).replace(" ", "")
        if len(value) > 50:
            raise PydanticCustomError("name", "姓名最多 50 字")
        return value

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
    residence_type: str
    residence_type_label: str
    address: str
    status: str
    status_label: str


class ResidentDetailOut(ResidentOut):
    document_kind: str
    document_kind_label: str
    sex: str
    # 周岁, never the birth date: the masked digits of the ID number are the birth date.
    age: int | None
    address_id: int | None
    reported_address: str
    household_number: str
    relation_to_head: str
    unit_path: str


class ResidentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ResidentOut]


def _page(queryset: QuerySet[M], paging: Paging, out: Callable[[M], dict[str, Any]]) -> dict[str, Any]:
    start = (paging.page - 1) * paging.page_size
    items: Iterable[M] = queryset[start : start + paging.page_size]
    return {
        "count": queryset.count(),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": [out(item) for item in items],
    }


def _resident_out(resident: Resident) -> dict[str, Any]:
    row = resident_row(resident)
    return {
        "id": row.id,
        "name": row.name,
        "id_number": row.id_number,
        "phone": row.phone,
        "residence_type": resident.residence_type,
        "residence_type_label": row.residence_type,
        "address": row.address,
        "status": resident.status,
        "status_label": row.status,
    }


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
    return _page(queryset, paging, _resident_out)


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
    return _page(queryset, paging, _resident_out)


@router.get("/residents/{resident_id}", response=ResidentDetailOut)
def resident_detail(request: HttpRequest, resident_id: int) -> dict[str, Any]:
    """One resident, masked; every read is audited (resident.view)."""
    resident = get_resident_for_user(request.user, resident_id)
    return {
        **_resident_out(resident),
        "document_kind": resident.document_kind,
        "document_kind_label": resident.get_document_kind_display(),
        "sex": resident.sex,
        "age": age_of(resident.birth_date),
        "address_id": resident.address_id,
        "reported_address": resident.reported_address,
        "household_number": resident.household_number,
        "relation_to_head": resident.relation_to_head,
        "unit_path": resident.unit_path,
    }
