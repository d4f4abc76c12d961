"""Pages of the registry: resident search and detail (masked, audited), addresses, import jobs."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.audit.reads import audit_read, search_terms
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.spreadsheet import XLSX_CONTENT_TYPE, content_disposition
from linli.org.models import Unit
from linli.registry.forms import IdNumberSearchForm, ImportUploadForm, ResidentSearchForm, RevealForm
from linli.registry.models import ImportJob, Resident
from linli.registry.selectors.addresses import (
    address_reviews_pending_for,
    addresses_visible_to,
    get_address_for_user,
    get_address_review_for_manage,
)
from linli.registry.selectors.imports import (
    ERROR_PREVIEW_ROWS,
    get_grid_for_import,
    get_import_job_for_manage,
    get_import_job_for_user,
    import_grids_for,
    import_job_error_preview,
    import_jobs_visible_to,
)
from linli.registry.selectors.residents import (
    get_resident_for_user,
    resident_reveal,
    resident_row,
    residents_at,
    residents_search,
)
from linli.registry.services.imports.jobs import (
    RUNNING_STATES,
    import_job_create,
    import_job_report_export,
    import_job_write,
)

RESULTS_PER_PAGE = 50
# Up to this many grids the upload form offers a select (grouped by community); beyond, a code box.
GRID_SELECT_LIMIT = 300


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# Residents and addresses. Personal pages are never cached by the browser or a proxy.


@login_required
@never_cache
@sensitive_post_parameters("id_number")
@require_http_methods(["GET", "POST"])
def resident_search(request: HttpRequest) -> HttpResponse:
    """Name or phone (last four) by GET; a full ID number only by POST, so it stays out of URLs and logs."""
    form = ResidentSearchForm(request.GET if request.method == "GET" and _has_terms(request) else None)
    id_form = IdNumberSearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "form": form,
        "id_form": id_form,
        "in_scope": bool(scope_for(request.user).full_roots),
        "can_import": scope_for(request.user).can_anywhere(Capability.MANAGE_REGISTRY),
    }
    if "id_number" in request.GET:
        # Whoever built this link put a number in a URL; do not answer it, say where it belongs.
        context["url_error"] = "身份证号不能放在网址中，请在下方“按身份证号查询”中输入"
        return render(request, "registry/resident_search.html", context, status=400)
    queryset: QuerySet[Resident] | None = None
    if id_form.is_bound and id_form.is_valid():
        number = id_form.cleaned_data["id_number"]
        queryset = residents_search(user=request.user, id_number=number).order_by("id")
        context["searched_id"] = True
        terms = search_terms(id_number=number)
    elif form.is_bound and form.is_valid():
        queryset = residents_search(
            user=request.user, name=form.cleaned_data["name"], phone_last4=form.cleaned_data["phone_last4"]
        )
        terms = search_terms(name=form.cleaned_data["name"], phone_last4=form.cleaned_data["phone_last4"])
    if queryset is not None:
        page = Paginator(queryset, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        audit_read(user=request.user, action="resident.search", detail={**terms, "page": page.number})
        context["page"] = page
        context["rows"] = [resident_row(r) for r in page]
        context["query"] = request.GET.copy()
        context["query"].pop("page", None)
    return render(request, "registry/resident_search.html", context)


def _has_terms(request: HttpRequest) -> bool:
    return any(request.GET.get(key) is not None for key in ("name", "phone_last4"))


@login_required
@never_cache
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = get_resident_for_user(request.user, resident_id)
    return render(request, "registry/resident_detail.html", _detail_context(request, resident))


def _detail_context(request: HttpRequest, resident: Resident, **extra: Any) -> dict[str, Any]:
    return {
        "resident": resident,
        "row": resident_row(resident),
        "status_changes": resident.status_changes.all(),
        "can_reveal": scope_for(request.user).can(Capability.REVEAL_PERSONAL, resident.unit_path),
        "can_enrol": scope_for(request.user).can(Capability.MANAGE_CARE, resident.unit_path)
        and resident.status == Resident.Status.PRESENT,
        "key_person_id": getattr(getattr(resident, "key_person", None), "pk", None),
        "reveal_form": RevealForm(),
        "revealed": None,
        **extra,
    }


@login_required
@never_cache
@require_POST
def resident_reveal_numbers(request: HttpRequest, resident_id: int) -> HttpResponse:
    """The full ID and phone numbers, for a reason. A fragment for htmx; the whole page without it."""
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revealed = None
    try:
        # The selector decides (404, then 403, then the reason); the form only cleans.
        resident, revealed = resident_reveal(user=request.user, resident_id=resident_id, reason=reason)
    except ServiceError as exc:
        # Shown again without the numbers: an ordinary, audited view of the resident.
        resident = get_resident_for_user(request.user, resident_id)
        if not form.errors:
            form.add_error("reason", exc.message)
    if _is_htmx(request):
        context = {"resident": resident, "reveal_form": form, "revealed": revealed}
        return render(request, "registry/_reveal.html", context)
    return render(
        request,
        "registry/resident_detail.html",
        _detail_context(request, resident, reveal_form=form, revealed=revealed),
    )


@login_required
@never_cache
def address_detail(request: HttpRequest, address_id: int) -> HttpResponse:
    address = get_address_for_user(request.user, address_id)
    residents = residents_at(address=address).select_related("address")
    audit_read(user=request.user, action="address.view", obj=address, unit_path=address.unit_path)
    housing = getattr(address, "housing", None)  # the reverse one-to-one raises when there is none
    return render(
        request,
        "registry/address_detail.html",
        {
            "address": address,
            "rows": [resident_row(r) for r in residents],
            "housing": housing,
            "businesses": address.businesses.order_by("name"),
        },
    )


# Import jobs.


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


# 一标三实 per unit: the collection rate, and the queue of addresses waiting for a person.


@login_required
def registry_unit(request: HttpRequest, code: str) -> HttpResponse:
    """The collection rate of a unit and of each unit under it (R6)."""
    from linli.org.access import get_unit_for_user
    from linli.registry.selectors.indicators import collection_rates

    unit = get_unit_for_user(request.user, code)
    if not scope_for(request.user).covers(unit.path):
        # A department sees the unit's structure, not its population.
        raise PermissionDenied
    children = list(Unit.objects.filter(parent=unit, is_active=True).exclude(kind=Unit.Kind.DEPARTMENT))
    (total,) = collection_rates(units=[unit])
    context = {
        "unit": unit,
        "total": total,
        "rows": collection_rates(units=children),
        "pending_reviews": address_reviews_pending_for(user=request.user)
        .filter(paths.subtree_q("unit_path", unit.path))
        .count(),
    }
    return render(request, "registry/registry_unit.html", context)


@login_required
def address_review_list(request: HttpRequest) -> HttpResponse:
    reviews = address_reviews_pending_for(user=request.user)
    page = Paginator(reviews, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registry/address_review_list.html", {"page": page})


@login_required
@require_POST
def address_review_settle(request: HttpRequest, review_id: int) -> HttpResponse:
    """Match a queued text to a standard address by its code, or dismiss it."""
    from linli.registry.services.addresses import address_review_resolve

    review = get_address_review_for_manage(request.user, review_id)
    address = None
    if "dismiss" not in request.POST:
        code = request.POST.get("address_code", "").strip()
        address = addresses_visible_to(user=request.user).filter(code=code).first() if code else None
        if address is None:
            messages.error(
                request, f"找不到地址编码“{code[:40]}”，请核对后重试" if code else "请填写标准地址编码"
            )
            return redirect("address-review-list")
    try:
        address_review_resolve(actor=request.user, review=review, address=address)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已核对" if address else "已忽略")
    return redirect("address-review-list")
