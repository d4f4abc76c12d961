"""Sign-in, sign-out and the home page of a user's scope."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.accounts.forms import LoginForm
from linli.accounts.selectors import memberships_of, scope_for
from linli.org.selectors import subtree_counts, top_units_visible_to


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    top_units = list(top_units_visible_to(user=request.user))
    scope = scope_for(request.user)
    totals: dict[str, int] = {}
    for unit in top_units:
        if unit.is_department or not scope.covers(unit.path):
            continue
        for kind, n in subtree_counts(unit=unit).items():
            totals[kind] = totals.get(kind, 0) + n
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": memberships_of(user=request.user),  # type: ignore[arg-type]
            "top_units": top_units,
            "totals": totals,
            "has_places": bool(scope.full_roots),
        },
    )
