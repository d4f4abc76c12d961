"""A user's own API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.models import ApiToken


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked and expired ones too, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_own_api_token(user: Any, token_id: int) -> ApiToken:
    """One of the user's own tokens; "absent" and "someone else's" are the same 404."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404
    return token
