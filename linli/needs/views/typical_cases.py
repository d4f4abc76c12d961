"""The political department's typical cases (S7): picking solved requests, writing them up, and the
published cases everyone reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.core.errors import ServiceError
from linli.core.users import signed_in
from linli.needs.forms.typical_cases import TypicalForm
from linli.needs.selectors.typical_cases import get_typical_candidate, published_cases, typical_candidates
from linli.needs.selectors.units import community_of
from linli.needs.services.typical_cases import request_mark_typical
from linli.needs.views.requests import ROWS_PER_PAGE
from linli.org.selectors.units import ReadOnlyAccess


def _require_typical(user: User) -> None:
    if not scope_for(user).can_anywhere(Capability.MARK_TYPICAL):
        raise ReadOnlyAccess


@login_required
@never_cache
@require_GET
def typical_list(request: HttpRequest) -> HttpResponse:
    """Solved requests the political department may pick from: category, community, what was done."""
    user = signed_in(request.user)
    _require_typical(user)
    queryset = typical_candidates(user=user).select_related("unit__parent")
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "needs/typical_list.html",
        {"page": page, "rows": [(r, community_of(r.unit)) for r in page]},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def typical_mark(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in(request.user)
    _require_typical(user)
    found = get_typical_candidate(user, request_id)
    initial = {"title": found.typical_title, "writeup": found.typical_writeup}
    form = TypicalForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            request_mark_typical(
                actor=user,
                request=found,
                title=form.cleaned_data["title"],
                writeup=form.cleaned_data["writeup"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已列为典型案例")
            return redirect(reverse("request-typical-list"))
    return render(
        request,
        "needs/typical_mark.html",
        {"req": found, "community": community_of(found.unit), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@never_cache
@require_GET
def cases_list(request: HttpRequest) -> HttpResponse:
    """Published typical cases: titles and write-ups only."""
    user = signed_in(request.user)
    page = Paginator(published_cases(user=user), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "needs/cases.html", {"page": page})
