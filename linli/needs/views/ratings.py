"""The resident's rating of a solved request by its link, without an account, and that link.

The page shows the request's number, its category and what was done; nothing about anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linli.core.errors import ServiceError
from linli.needs.forms.ratings import RateForm
from linli.needs.models import Request
from linli.needs.selectors.ratings import request_for_rating
from linli.needs.services.ratings import request_rate_by_link


def _private(response: HttpResponse) -> HttpResponse:
    # The rating token is in the URL: never send it to another site as a referrer, never let a search
    # engine keep it. (Not "no-referrer": Chromium then posts the form with "Origin: null", which
    # Django's CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def rate_page(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's rating of a solved request; the link works once."""
    found = request_for_rating(token)
    if found is None:
        return _private(render(request, "needs/public_rate_gone.html", status=404))
    form = RateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            request_rate_by_link(
                token=token,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as exc:
            if exc.field == "token":
                return _private(render(request, "needs/public_rate_gone.html", status=404))
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _private(render(request, "needs/public_rated.html", {"number": found.number}))
    context = {
        "number": found.number,
        "category": found.category.name,
        "solution": found.solution,
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "needs/public_rate.html", context, status=status))


def rating_url(request: Request, *, base_url: str) -> str:
    """The resident's rating link; LINLI_PUBLIC_BASE_URL when the staff's address is not public."""
    return f"{(settings.LINLI_PUBLIC_BASE_URL or base_url).rstrip('/')}/r/{request.rating_token}"
