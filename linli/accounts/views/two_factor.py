"""The second step of signing in, binding an authenticator app and renewing recovery codes."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linli.accounts.forms.two_factor import CodeForm
from linli.accounts.models import User
from linli.accounts.selectors.two_factor import has_authenticator, recovery_codes_left
from linli.accounts.services import two_factor
from linli.accounts.views.sessions import _next_url
from linli.core.errors import ServiceError
from linli.core.qr import qr_data_uri


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if not has_authenticator(user) and not recovery_codes_left(user):
        return redirect("otp-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.is_locked(request, user):
            logout(request)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            return HttpResponse(status=429)
        device = two_factor.match_code(user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                messages.info(request, f"已使用一个恢复码，还剩 {recovery_codes_left(user)} 个。")
            return HttpResponseRedirect(_next_url(request))
        if two_factor.count_failure(request, user):
            logout(request)
            return HttpResponse(status=429)
        form.add_error("code", "验证码不正确")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the code, type the six digits it shows, get recovery codes."""
    user = request.user
    assert isinstance(user, User)
    if has_authenticator(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("otp-verify")
    device = two_factor.totp_enrol_begin(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.totp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr_data_uri(device.config_url),
            "secret": _spaced(device.bin_key),
            "next": _next_url(request),
        },
    )


def _spaced(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not has_authenticator(user):
        return redirect("otp-setup")
    codes = two_factor.recovery_codes_renew(user=user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account")})
