"""Signing in with a password (the second factor is views/two_factor.py) and the start page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from linli.accounts.forms.sessions import LoginForm
from linli.accounts.middleware import EXPIRED_MESSAGE
from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.accounts.selectors.users import memberships_of
from linli.org.selectors.units import subtree_counts, top_units_visible_to


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("expired"):
            context["expired_message"] = EXPIRED_MESSAGE
        return context


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


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
            "can_manage_security": scope.can_anywhere(Capability.MANAGE_SECURITY),
        },
    )
