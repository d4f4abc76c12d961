"""Permission-bearing reads of import jobs, the grids one may import into, and the jobs' error reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.org.models import Unit
from linli.org.selectors.units import ReadOnlyAccess
from linli.registry.models import ImportJob


def imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def report_path(job: ImportJob) -> Path | None:
    """The job's error report (xlsx), if validation found row errors."""
    return imports_dir() / job.report_name if job.report_name else None


# How many row errors the job page lists; the full list is the downloadable report.
ERROR_PREVIEW_ROWS = 50


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
    from linli.org.selectors.units import get_unit_for_user

    unit = get_unit_for_user(user, code)
    if not scope_for(user).can(Capability.MANAGE_REGISTRY, unit.path):
        raise ReadOnlyAccess
    return unit


def import_grids_for(*, user: Any) -> QuerySet[Unit]:
    """Active grids under the user's subtrees where some role of theirs may import (MANAGE_REGISTRY)."""
    from linli.accounts.models import ROLE_CAPABILITIES

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
