"""The /api/v1/ import job endpoints: the jobs in scope and their progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from linli.api.paging import Page, Paging, page_of
from linli.api.schemas import UnitRef, choices_of
from linli.registry.models import ImportJob
from linli.registry.selectors.imports import get_import_job_for_user, import_jobs_visible_to

router = Router(tags=["一标三实"])


class ImportJobOut(Schema):
    uuid: UUID
    kind: Annotated[ImportJob.Kind, choices_of(ImportJob.Kind)]
    kind_label: str = Field(alias="get_kind_display")
    state: Annotated[ImportJob.State, choices_of(ImportJob.State)]
    state_label: str = Field(alias="get_state_display")
    unit: UnitRef
    original_name: str
    uploaded_by: str = Field(alias="uploaded_by.get_username")
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

    @staticmethod
    def resolve_report_url(job: ImportJob) -> str | None:
        return reverse("import-job-report", args=[job.uuid]) if job.report_name else None


class ImportJobPage(Page[ImportJobOut]):
    pass


@router.get("/imports", response=ImportJobPage)
def imports(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return page_of(import_jobs_visible_to(user=request.user), paging)


@router.get("/imports/{job_uuid}", response=ImportJobOut)
def import_detail(request: HttpRequest, job_uuid: UUID) -> ImportJob:
    return get_import_job_for_user(request.user, job_uuid)
