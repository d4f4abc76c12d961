"""Pages of residents: search, detail and the full numbers for a reason (masked, audited, never cached)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.reads import audit_read, search_terms
from linli.core.errors import ServiceError
from linli.registry.forms.residents import IdNumberSearchForm, ResidentSearchForm, RevealForm
from linli.registry.models import Resident
from linli.registry.selectors.residents import (
    get_resident_for_user,
    resident_reveal,
    resident_row,
    residents_search,
)

RESULTS_PER_PAGE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


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
