from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from linli.accounts.forms.api_tokens import TokenForm
from linli.accounts.models import User
from linli.accounts.selectors.api_tokens import api_tokens_of, get_own_api_token
from linli.accounts.services.api_tokens import api_token_issue, api_token_revoke


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one for a device (shown once), see when each was used, revoke."""
    user = request.user
    assert isinstance(user, User)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = api_token_issue(
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
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, "令牌已撤销。")
    return redirect("tokens")
