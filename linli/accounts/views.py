"""Sign-in (password, then the second factor), the account's own pages and the security office's page."""

from __future__ import annotations

from typing import Any

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from linli.accounts import services, twofactor
from linli.accounts.forms import CodeForm, LoginForm, PasswordChangeForm, ReasonForm, TokenForm
from linli.accounts.middleware import EXPIRED_MESSAGE
from linli.accounts.models import Capability, User
from linli.accounts.selectors import (
    api_tokens_of,
    get_managed_account,
    get_own_api_token,
    managed_accounts,
    memberships_of,
    scope_for,
)
from linli.core.errors import ServiceError
from linli.org.selectors import subtree_counts, top_units_visible_to


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
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if not twofactor.has_authenticator(user) and not twofactor.recovery_codes_left(user):
        return redirect("otp-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.is_locked(request, user):
            logout(request)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            return HttpResponse(status=429)
        device = twofactor.match_code(user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                messages.info(request, f"已使用一个恢复码，还剩 {twofactor.recovery_codes_left(user)} 个。")
            return HttpResponseRedirect(_next_url(request))
        if twofactor.count_failure(request, user):
            logout(request)
            return HttpResponse(status=429)
        form.add_error("code", "验证码不正确")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the code, type the six digits it shows, get recovery codes."""
    user = request.user
    assert isinstance(user, User)
    if twofactor.has_authenticator(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("otp-verify")
    device = services.totp_enrol_begin(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret": _spaced(device.bin_key),
            "next": _next_url(request),
        },
    )


def _spaced(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: two-factor state, recovery codes, password, API tokens."""
    return render(
        request,
        "accounts/account.html",
        {
            "has_authenticator": twofactor.has_authenticator(request.user),
            "codes_left": twofactor.recovery_codes_left(request.user),
            "two_factor_required": twofactor.two_factor_required(request.user),
            "tokens": api_tokens_of(user=request.user),
        },
    )


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not twofactor.has_authenticator(user):
        return redirect("otp-setup")
    codes = services.recovery_codes_renew(user=user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account")})


def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
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


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one for a device (shown once), see when each was used, revoke."""
    user = request.user
    assert isinstance(user, User)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = services.api_token_issue(
            user=user, label=form.cleaned_data["label"], session_key=request.session.session_key or ""
        )
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "new_token": new_token, "tokens": api_tokens_of(user=user), "now": timezone.now()},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_own_api_token(request.user, token_id)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, "令牌已撤销。")
    return redirect("tokens")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The security office's page: accounts in its subtree, their two-factor and lockout state, and
    what it may do about them."""
    if not scope_for(request.user).can_anywhere(Capability.MANAGE_SECURITY):
        raise Http404
    query = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "accounts/security.html",
        {"accounts": managed_accounts(user=request.user, query=query), "q": query, "form": ReasonForm()},
    )


@login_required
@require_POST
def security_action(request: HttpRequest, username: str) -> HttpResponse:
    target = get_managed_account(request.user, username)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择操作并填写原因。")
        return redirect("security")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "unlock":
            services.account_unlock(actor=request.user, user=target, reason=reason)
            messages.success(request, f"已解除 {target} 的登录锁定。")
        elif action == "reset_2fa":
            services.two_factor_reset(actor=request.user, user=target, reason=reason)
            messages.success(request, f"已重置 {target} 的两步验证，下次登录时需重新绑定。")
        elif action == "force_password":
            services.password_force_change(actor=request.user, user=target, reason=reason)
            messages.success(request, f"{target} 下次登录时须修改口令。")
        else:
            count = services.api_tokens_revoke_all(actor=request.user, user=target, reason=reason)
            messages.success(request, f"已撤销 {target} 的 {count} 个接口令牌。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("security")


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
