from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.audit.forms.events import AuditFilterForm
from linli.audit.selectors.events import (
    audit_csv_bytes,
    audit_events_for,
    audit_roots,
    audit_xlsx_bytes,
    unit_names,
)
from linli.audit.selectors.labels import describe
from linli.audit.services.events import audit_record
from linli.core import paths
from linli.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, download_response
from linli.core.users import signed_in

# An export is one request: above this many events, narrow the unit or the period (or archive by month).
EXPORT_LIMIT = 200_000


def _unit_choices(roots: list[str]) -> list[tuple[str, str]]:
    from linli.org.models import Unit

    # The auditor's roots and the level below them: enough to narrow an export, not the whole tree.
    units = Unit.objects.filter(
        paths.any_subtree_q("path", roots), depth__lte=1 + min(paths.depth(r) for r in roots)
    )
    return [(u.path, f"{'　' * u.depth}{u.name}") for u in units.order_by("path")]


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    user = signed_in(request.user)
    roots = audit_roots(user=user)
    if not roots:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, units=_unit_choices(roots))
    data = form.cleaned_data if form.is_valid() else {}
    events = audit_events_for(
        user=user, unit_path=data.get("unit") or "", start=data.get("start"), end=data.get("end")
    )
    return form, events


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    if not scope_for(user).can_anywhere(Capability.VIEW_AUDIT):
        raise PermissionDenied
    form, events = _filtered(request)
    page = Paginator(events.select_related("actor"), 50).get_page(request.GET.get("page"))  # type: ignore[attr-defined]
    names = unit_names(e.unit_path for e in page)
    rows = [{"event": e, "unit_name": names.get(e.unit_path, ""), **describe(e)} for e in page]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "audit/audit_log.html",
        {"page": page, "rows": rows, "form": form, "query": query.urlencode()},
    )


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as xlsx (default) or csv; the export is itself an audit event."""
    user = signed_in(request.user)
    if not scope_for(user).can_anywhere(Capability.VIEW_AUDIT):
        raise PermissionDenied
    form, events = _filtered(request)
    as_csv = request.GET.get("format") == "csv"
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit_path = data.get("unit") or ""
    roots = audit_roots(user=user)
    with transaction.atomic():
        for root in [unit_path] if unit_path else roots:
            audit_record(
                actor=user,
                action="audit.export",
                object_type="org.unit",
                unit_path=root,
                detail={
                    "format": "csv" if as_csv else "xlsx",
                    "unit": unit_path,
                    "start": str(data.get("start") or ""),
                    "end": str(data.get("end") or ""),
                },
            )
    ordered = events.order_by("id")[:EXPORT_LIMIT]  # type: ignore[attr-defined]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if as_csv:
        return download_response(
            audit_csv_bytes(ordered), filename=f"审计日志-{stamp}.csv", content_type=CSV_CONTENT_TYPE
        )
    body = audit_xlsx_bytes(ordered, title="审计日志")
    return download_response(body, filename=f"审计日志-{stamp}.xlsx", content_type=XLSX_CONTENT_TYPE)
