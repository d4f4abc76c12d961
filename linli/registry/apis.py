"""The /api/v1/ registry endpoints: scoped and masked like the pages; an ID number only in a POST body."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError

from linli.api.schemas import UnitRef
from linli.audit.reads import audit_read, search_terms
from linli.core.masking import age_of, mask_phone
from linli.lib.idcard import IdNumberError, parse_id_number
from linli.registry.models import Address, Business, Housing, ImportJob, Resident
from linli.registry.selectors.addresses import addresses_visible_to
from linli.registry.selectors.businesses import businesses_visible_to
from linli.registry.selectors.housing import housing_visible_to
from linli.registry.selectors.imports import get_import_job_for_user, import_jobs_visible_to
from linli.registry.selectors.residents import (
    get_resident_for_user,
    resident_row,
    residents_search,
    residents_visible_to,
)

router = Router(tags=["一标三实"])

MAX_PAGE_SIZE = 200
# Pages beyond this are refused (422): an offset past any real list, yet far inside what databases take.
MAX_PAGE = 100_000
M = TypeVar("M", bound=Model)


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class Paging(Schema):
    page: int = 1
    page_size: int = 50

    @field_validator("page")
    @classmethod
    def _page(cls, value: int) -> int:
        if value < 1:
            raise PydanticCustomError("page", "页码从 1 开始")
        if value > MAX_PAGE:
            raise PydanticCustomError("page", "页码不能超过 {limit}", {"limit": MAX_PAGE})
        return value

    @field_validator("page_size")
    @classmethod
    def _page_size(cls, value: int) -> int:
        if not 1 <= value <= MAX_PAGE_SIZE:
            raise PydanticCustomError("page_size", "每页条数应在 1 到 {limit} 之间", {"limit": MAX_PAGE_SIZE})
        return value


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


class AddressOut(Schema):
    id: int
    code: str
    full_text: str
    locality: str
    lane: str
    number: str
    building: str
    unit_no: str
    room: str
    unit_path: str


class HousingOut(Schema):
    id: int
    address_id: int
    address: str
    usage: str
    usage_label: str
    owner_name: str
    owner_phone: str
    tenant_count: int | None
    unit_path: str


class BusinessOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    credit_code: str | None
    address_id: int | None
    address: str
    contact_name: str
    contact_phone: str
    unit_path: str


class ImportJobOut(Schema):
    uuid: UUID
    kind: str
    kind_label: str
    state: str
    state_label: str
    unit: UnitRef
    original_name: str
    uploaded_by: str
    created_at: datetime
    finished_at: datetime | None
    write_valid_rows: bool
    total_rows: int
    rows_done: int
    rejected: int
    created: int
    updated: int
    unchanged: int
    failure: str
    report_url: str | None


class ResidentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ResidentOut]


class AddressPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AddressOut]


class HousingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HousingOut]


class BusinessPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BusinessOut]


class ImportJobPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ImportJobOut]


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


def _address_out(address: Address) -> dict[str, Any]:
    fields = ("id", "code", "full_text", "locality", "lane", "number", "building", "unit_no", "room")
    return {**{f: getattr(address, f) for f in fields}, "unit_path": address.unit_path}


def _housing_out(housing: Housing) -> dict[str, Any]:
    return {
        "id": housing.pk,
        "address_id": housing.address_id,
        "address": str(housing.address),
        "usage": housing.usage,
        "usage_label": housing.get_usage_display(),
        "owner_name": housing.owner_name,
        "owner_phone": mask_phone(housing.owner_phone),
        "tenant_count": housing.tenant_count,
        "unit_path": housing.unit_path,
    }


def _business_out(business: Business) -> dict[str, Any]:
    return {
        "id": business.pk,
        "name": business.name,
        "kind": business.kind,
        "kind_label": business.get_kind_display(),
        "credit_code": business.credit_code,
        "address_id": business.address_id,
        "address": str(business.address) if business.address_id and business.address else "",
        "contact_name": business.contact_name,
        "contact_phone": mask_phone(business.contact_phone),
        "unit_path": business.unit_path,
    }


def _import_job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "uuid": job.uuid,
        "kind": job.kind,
        "kind_label": job.get_kind_display(),
        "state": job.state,
        "state_label": job.get_state_display(),
        "unit": {"code": job.unit.code, "name": job.unit.name},
        "original_name": job.original_name,
        "uploaded_by": job.uploaded_by.get_username(),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "write_valid_rows": job.write_valid_rows,
        "total_rows": job.total_rows,
        "rows_done": job.rows_done,
        "rejected": job.rejected,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "failure": job.failure,
        "report_url": reverse("import-job-report", args=[job.uuid]) if job.report_name else None,
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


@router.get("/addresses", response=AddressPage)
def addresses(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return _page(addresses_visible_to(user=request.user).order_by("unit_path", "key"), paging, _address_out)


@router.get("/housing", response=HousingPage)
def housing(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Actual housing in scope; owners' phones masked."""
    return _page(housing_visible_to(user=request.user), paging, _housing_out)


@router.get("/businesses", response=BusinessPage)
def businesses(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Actual businesses in scope; contact phones masked."""
    return _page(businesses_visible_to(user=request.user), paging, _business_out)


@router.get("/imports", response=ImportJobPage)
def imports(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return _page(import_jobs_visible_to(user=request.user), paging, _import_job_out)


@router.get("/imports/{job_uuid}", response=ImportJobOut)
def import_detail(request: HttpRequest, job_uuid: UUID) -> dict[str, Any]:
    return _import_job_out(get_import_job_for_user(request.user, job_uuid))
