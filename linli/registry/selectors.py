"""Permission-bearing reads of the registry. Lists are masked on the server; detail reads are audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.audit.services import audit_record
from linli.core import paths
from linli.core.masking import age_of, mask_id_number, mask_phone
from linli.org.access import ReadOnlyAccess
from linli.org.models import Unit
from linli.registry.models import Address, AddressReview, Business, Housing, ImportJob, Resident


def residents_visible_to(*, user: Any) -> QuerySet[Resident]:
    """Residents in the user's geographic subtrees (departments see none: X1)."""
    scope = scope_for(user)
    return Resident.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots)).select_related(
        "address"
    )


def addresses_visible_to(*, user: Any) -> QuerySet[Address]:
    scope = scope_for(user)
    return Address.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))


@dataclass(frozen=True)
class ResidentRow:
    """What a list or search result shows of a resident: numbers masked."""

    id: int
    name: str
    id_number: str
    phone: str
    residence_type: str
    address: str
    status: str
    # Age, never the birth date: the masked digits of the ID number are the birth date.
    age: int | None = None


def resident_row(resident: Resident) -> ResidentRow:
    return ResidentRow(
        id=resident.pk,
        name=resident.name,
        id_number=mask_id_number(resident.id_number or ""),
        phone=mask_phone(resident.phone),
        residence_type=resident.get_residence_type_display(),
        address=str(resident.address) if resident.address_id and resident.address else "",
        status=resident.get_status_display(),
        age=age_of(resident.birth_date),
    )


def _resident_in_scope(user: Any, resident_id: int) -> Resident:
    resident = Resident.objects.select_related("address").filter(pk=resident_id).first()
    if resident is None:
        raise Http404
    if not scope_for(user).covers(resident.unit_path):
        raise Http404
    return resident


def get_resident_for_user(user: Any, resident_id: int, *, reason: str = "") -> Resident:
    """One resident the user may see; "absent" and "not yours" are the same 404. The read is audited."""
    resident = _resident_in_scope(user, resident_id)
    audit_record(
        actor=user, action="resident.view", obj=resident, unit_path=resident.unit_path, reason=reason
    )
    return resident


def residents_search(
    *, user: Any, name: str = "", phone_last4: str = "", id_number: str = ""
) -> QuerySet[Resident]:
    """Search within scope by name (prefix), the last four digits of a phone, or a full ID number.

    The caller normalises the inputs; an ID number comes from a request body, never from a URL.
    """
    queryset = residents_visible_to(user=user)
    if id_number:
        return queryset.filter(id_number=id_number)
    if phone_last4:
        queryset = queryset.filter(phone_last4=phone_last4)
    if name:
        queryset = queryset.filter(name__startswith=name)
    if not (name or phone_last4):
        return queryset.none()
    return queryset.order_by("name", "id")


@dataclass(frozen=True)
class RevealedNumbers:
    id_number: str
    phone: str


def resident_reveal(*, user: Any, resident_id: int, reason: str) -> tuple[Resident, RevealedNumbers]:
    """A resident's full ID and phone numbers: 404 outside scope, 403 without the right, a reason required.

    One audit event (resident.reveal, with the reason) stands for the whole read.
    """
    from django.core.exceptions import PermissionDenied

    from linli.core.errors import ServiceError

    resident = _resident_in_scope(user, resident_id)
    if not scope_for(user).can(Capability.REVEAL_PERSONAL, resident.unit_path):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ServiceError("请填写查看完整号码的事由", field="reason")
    audit_record(
        actor=user, action="resident.reveal", obj=resident, unit_path=resident.unit_path, reason=reason
    )
    return resident, RevealedNumbers(id_number=resident.id_number or "", phone=resident.phone)


def get_address_for_user(user: Any, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id).first()
    if address is None:
        raise Http404
    if not scope_for(user).covers(address.unit_path):
        raise Http404
    return address


def residents_at(*, address: Address) -> QuerySet[Resident]:
    """Who lives at an address the caller has accessed (present residents first)."""
    return address.residents.order_by("status", "household_number", "name")


def imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def report_path(job: ImportJob) -> Path | None:
    """The job's error report (xlsx), if validation found row errors."""
    return imports_dir() / job.report_name if job.report_name else None


# How many row errors the job page lists; the full list is the downloadable report.
ERROR_PREVIEW_ROWS = 50


# Import jobs and the rest of 一标三实.


def import_jobs_visible_to(*, user: Any) -> QuerySet[ImportJob]:
    """Import jobs whose target lies in the user's geographic subtrees, newest first."""
    scope = scope_for(user)
    return (
        ImportJob.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))
        .select_related("unit", "unit__parent", "uploaded_by")
        .order_by("-created_at", "-id")
    )


def get_import_job_for_user(user: Any, job_uuid: uuid.UUID | str) -> ImportJob:
    """One import job; "absent" and "not in your scope" are the same 404."""
    job = (
        ImportJob.objects.select_related("unit", "unit__parent", "uploaded_by").filter(uuid=job_uuid).first()
    )
    if job is None:
        raise Http404
    if not scope_for(user).covers(job.unit_path):
        raise Http404
    return job


def get_import_job_for_manage(user: Any, job_uuid: uuid.UUID | str) -> ImportJob:
    """An import job the user may write; 403 for those who may only look at it."""
    job = get_import_job_for_user(user, job_uuid)
    if not scope_for(user).can(Capability.MANAGE_REGISTRY, job.unit_path):
        raise ReadOnlyAccess
    return job


def get_grid_for_import(user: Any, code: str) -> Unit:
    """A unit to import into: 404 outside the user's scope, 403 where they may only look."""
    from linli.org.access import get_unit_for_user

    unit = get_unit_for_user(user, code)
    if not scope_for(user).can(Capability.MANAGE_REGISTRY, unit.path):
        raise ReadOnlyAccess
    return unit


def import_grids_for(*, user: Any) -> QuerySet[Unit]:
    """Active grids under the user's subtrees where some role of theirs may import (MANAGE_REGISTRY)."""
    from linli.accounts.roles import ROLE_CAPABILITIES

    scope = scope_for(user)
    roots = [
        grant.path
        for grant in scope.grants
        if grant.unit_kind != Unit.Kind.DEPARTMENT
        and Capability.MANAGE_REGISTRY in ROLE_CAPABILITIES.get(grant.role, frozenset())
    ]
    return (
        Unit.objects.filter(paths.any_subtree_q("path", roots), kind=Unit.Kind.GRID, is_active=True)
        .select_related("parent")
        .order_by("path")
    )


def housing_visible_to(*, user: Any) -> QuerySet[Housing]:
    scope = scope_for(user)
    return (
        Housing.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))
        .select_related("address")
        .order_by("unit_path", "address__key")
    )


def businesses_visible_to(*, user: Any) -> QuerySet[Business]:
    scope = scope_for(user)
    return (
        Business.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))
        .select_related("address")
        .order_by("unit_path", "name")
    )


@dataclass(frozen=True)
class ReportLine:
    row: int
    column: str
    message: str


def import_job_error_preview(job: ImportJob, *, limit: int = ERROR_PREVIEW_ROWS) -> list[ReportLine]:
    """The first row errors of a job the caller has accessed, read back from its report."""
    import openpyxl

    path = report_path(job)
    if path is None or not path.exists():
        return []
    # read_only streams the sheet: the first rows of a report with a million errors cost nothing.
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        lines = []
        for values in workbook.active.iter_rows(min_row=2, max_row=limit + 1, values_only=True):
            row, column, message = [*values, None, None, None][:3]
            lines.append(ReportLine(int(row or 0), str(column or ""), str(message or "")))
        return lines
    finally:
        workbook.close()


def address_reviews_pending_for(*, user: Any) -> QuerySet[AddressReview]:
    """Texts waiting for a person to match them, in the user's subtrees, oldest first."""
    scope = scope_for(user)
    return (
        AddressReview.objects.filter(
            paths.any_subtree_q("unit_path", scope.full_roots), state=AddressReview.State.PENDING
        )
        .select_related("resident")
        .order_by("created_at", "id")
    )


def get_address_review_for_manage(user: Any, review_id: int) -> AddressReview:
    """A queued text the user may settle: 404 outside scope, 403 for those who may only look."""
    review = AddressReview.objects.select_related("resident").filter(pk=review_id).first()
    if review is None:
        raise Http404
    if not scope_for(user).covers(review.unit_path):
        raise Http404
    if not scope_for(user).can(Capability.MANAGE_REGISTRY, review.unit_path):
        raise ReadOnlyAccess
    return review
