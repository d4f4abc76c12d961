"""The /api/v1/ import job endpoints: the jobs in scope and their progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from linli.api.paging import Paging
from linli.api.schemas import UnitRef
from linli.registry.apis.residents import _page
from linli.registry.models import ImportJob
from linli.registry.selectors.imports import get_import_job_for_user, import_jobs_visible_to

router = Router(tags=["一标三实"])


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


class ImportJobPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ImportJobOut]


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


@router.get("/imports", response=ImportJobPage)
def imports(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return _page(import_jobs_visible_to(user=request.user), paging, _import_job_out)


@router.get("/imports/{job_uuid}", response=ImportJobOut)
def import_detail(request: HttpRequest, job_uuid: UUID) -> dict[str, Any]:
    return _import_job_out(get_import_job_for_user(request.user, job_uuid))
