"""The user's own account page, and the security office's page over the accounts in its subtree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.accounts.forms.users import ReasonForm
from linli.accounts.models import Capability
from linli.accounts.selectors.api_tokens import api_tokens_of
from linli.accounts.selectors.scope import scope_for
from linli.accounts.selectors.two_factor import has_authenticator, recovery_codes_left, two_factor_required
from linli.accounts.selectors.users import get_managed_account, managed_accounts
from linli.accounts.services.api_tokens import api_tokens_revoke_all
from linli.accounts.services.passwords import password_force_change
from linli.accounts.services.two_factor import two_factor_reset
from linli.accounts.services.users import account_unlock
from linli.core.errors import ServiceError


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: two-factor state, recovery codes, password, API tokens."""
    return render(
        request,
        "accounts/account.html",
        {
            "has_authenticator": has_authenticator(request.user),
            "codes_left": recovery_codes_left(request.user),
            "two_factor_required": two_factor_required(request.user),
            "tokens": api_tokens_of(user=request.user),
        },
    )


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
        too_long = form.has_error("reason", "max_length")
        messages.error(request, str(form.errors["reason"][0]) if too_long else "请选择操作并填写原因。")
        return redirect("security")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "unlock":
            account_unlock(actor=request.user, user=target, reason=reason)
            messages.success(request, f"已解除 {target} 的登录锁定。")
        elif action == "reset_2fa":
            two_factor_reset(actor=request.user, user=target, reason=reason)
            messages.success(request, f"已重置 {target} 的两步验证，下次登录时需重新绑定。")
        elif action == "force_password":
            password_force_change(actor=request.user, user=target, reason=reason)
            messages.success(request, f"{target} 下次登录时须修改口令。")
        else:
            count = api_tokens_revoke_all(actor=request.user, user=target, reason=reason)
            messages.success(request, f"已撤销 {target} 的 {count} 个接口令牌。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("security")
