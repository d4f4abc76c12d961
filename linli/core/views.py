from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@require_GET
@login_required
def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The baseline of the hot-path benchmark (bench/http.py): the smallest signed-in page there is.

    It passes the same middleware as every page (session, the account gate, CSRF, headers) and reads one
    row, the signed-in user's own username, in one query; it shows nothing the user does not know.
    """
    pk = request.user.pk
    assert pk is not None  # signed in
    username = get_user_model().objects.filter(pk=pk).values_list("username", flat=True).get()
    return HttpResponse(username, content_type="text/plain; charset=utf-8")
