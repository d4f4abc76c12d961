"""Pages of import jobs: the list, the upload, a job's progress and errors, the write and the error report."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.core.errors import ServiceError
from linli.core.spreadsheet import XLSX_CONTENT_TYPE, content_disposition
from linli.org.models import Unit
from linli.registry.forms.imports import ImportUploadForm
from linli.registry.models import ImportJob
from linli.registry.selectors.imports import (
    ERROR_PREVIEW_ROWS,
    get_grid_for_import,
    get_import_job_for_manage,
    get_import_job_for_user,
    import_grids_for,
    import_job_error_preview,
    import_jobs_visible_to,
)
from linli.registry.services.imports.jobs import (
    RUNNING_STATES,
    import_job_create,
    import_job_report_export,
    import_job_write,
)
from linli.registry.views.residents import RESULTS_PER_PAGE

# Up to this many grids the upload form offers a select (grouped by community); beyond, a code box.
GRID_SELECT_LIMIT = 300


@login_required
def import_job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(import_jobs_visible_to(user=request.user), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/import_job_list.html",
        {"page": page, "can_import": scope_for(request.user).can_anywhere(Capability.MANAGE_REGISTRY)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_job_new(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can_anywhere(Capability.MANAGE_REGISTRY):
        raise PermissionDenied
    grids = import_grids_for(user=request.user)
    grid_choices = _grid_choices(list(grids[: GRID_SELECT_LIMIT + 1]))
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        grid_choices=grid_choices,
        initial={"grid": request.GET.get("grid", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = get_grid_for_import(request.user, data["grid"])
        try:
            job = import_job_create(actor=request.user, unit=unit, upload=data["file"], kind=data["kind"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("import-job-detail", job_uuid=job.uuid)
    return render(request, "registry/import_job_new.html", {"form": form})


def _grid_choices(grids: list[Unit]) -> list[tuple[str, Any]] | None:
    """Grids grouped under their community's name for a select; None when there are too many."""
    if len(grids) > GRID_SELECT_LIMIT:
        return None
    return [
        (community, [(g.code, g.name) for g in members])
        for community, members in groupby(grids, key=lambda g: g.parent.name if g.parent else "")
    ]


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    finished = job.state in (ImportJob.State.VALIDATED, ImportJob.State.DONE)
    errors = import_job_error_preview(job) if finished and job.rejected else []
    return {
        "job": job,
        "running": job.state in RUNNING_STATES,
        "errors": errors,
        "errors_truncated": len(errors) >= ERROR_PREVIEW_ROWS,
        "can_manage": scope_for(request.user).can(Capability.MANAGE_REGISTRY, job.unit_path),
        "valid_rows": max(job.total_rows - job.rejected, 0),
    }


@login_required
def import_job_detail(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    job = get_import_job_for_user(request.user, job_uuid)
    return render(request, "registry/import_job_detail.html", _job_context(request, job))


@login_required
def import_job_status(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    """The job card alone, polled by htmx every 2 s while the job runs."""
    job = get_import_job_for_user(request.user, job_uuid)
    return render(request, "registry/_import_job.html", _job_context(request, job))


@login_required
@require_POST
def import_job_write_view(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    job = get_import_job_for_manage(request.user, job_uuid)
    write_valid_rows = request.POST.get("write_valid_rows") == "1"
    try:
        job = import_job_write(actor=request.user, job=job, write_valid_rows=write_valid_rows)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if job.state == ImportJob.State.DONE:
            messages.success(request, f"已写入：新增 {job.created}，更新 {job.updated}，未变 {job.unchanged}")
    return redirect("import-job-detail", job_uuid=job.uuid)


@login_required
def import_job_report(request: HttpRequest, job_uuid: UUID) -> FileResponse:
    job = get_import_job_for_user(request.user, job_uuid)
    path = import_job_report_export(actor=request.user, job=job)
    # Streamed from disk (a report can be long); the same download headers as every other export.
    response = FileResponse(path.open("rb"), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{Path(job.original_name).stem}-错误报告.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response
