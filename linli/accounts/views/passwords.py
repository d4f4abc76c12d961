from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from linli.accounts.forms.passwords import PasswordChangeForm
from linli.accounts.models import User
from linli.accounts.services import passwords
from linli.accounts.views.sessions import _next_url
from linli.core.errors import ServiceError


def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "口令已修改。")
            return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": user.must_change_password, "next": _next_url(request)},
    )
