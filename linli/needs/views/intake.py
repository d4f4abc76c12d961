"""A grid's public intake page, where residents file a request without an account (the QR on the grid's
notice board). It shows the grid's name and, after filing, the new number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linli.core.context import client_address
from linli.core.errors import ServiceError
from linli.needs.forms.intake import PublicAskForm
from linli.needs.models import Channel
from linli.needs.selectors.categories import active_categories
from linli.needs.selectors.intake import public_grid
from linli.needs.selectors.units import community_of
from linli.needs.services.intake import IntakeRefused, challenge_check, challenge_new, filing_admitted
from linli.needs.services.requests import filing_resolve, request_file
from linli.needs.views.ratings import _private


@never_cache
@require_http_methods(["GET", "POST"])
def grid_ask(request: HttpRequest, code: str) -> HttpResponse:
    """A grid's public page where residents file a request themselves (the QR on the grid's notice board)."""
    grid = public_grid(code)
    community = community_of(grid)
    title = f"{community.name}{grid.name}" if community.pk != grid.pk else grid.name
    address = client_address.get() or request.META.get("REMOTE_ADDR", "")
    form = PublicAskForm(request.POST if request.method == "POST" else None, categories=active_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["website"]:
                raise IntakeRefused("提交未成功，请稍后再试；紧急情况请直接拨打110")
            nonce = challenge_check(token=data["challenge"], answer=data["answer"])
            # The hourly slot and the question are claimed in the filing's transaction (given back if
            # it fails), so that concurrent filings cannot pass the limit or reuse one answer.
            with filing_admitted(address=address, nonce=nonce):
                filing = filing_resolve(actor=None, category_id=data["category"], unit=grid)
                filed = request_file(
                    actor=None,
                    channel=Channel.PUBLIC,
                    text=data["text"],
                    **filing.refs(),
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                    place_text=data["place_text"],
                )
        except (IntakeRefused, ServiceError) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _private(
                render(request, "needs/public_asked.html", {"number": filed.number, "title": title})
            )
    context = {
        "form": form,
        "title": title,
        # Every showing of the form asks a new question; an earlier answer is not kept.
        "challenge": challenge_new(),
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "needs/public_ask.html", context, status=status))
