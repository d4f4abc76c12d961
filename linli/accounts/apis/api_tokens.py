"""Bearer tokens over the API: sign in, list and revoke one's own tokens, sign out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import StringConstraints

from linli.accounts.models import ApiToken, User
from linli.accounts.selectors.api_tokens import api_tokens_of, get_own_api_token
from linli.accounts.selectors.two_factor import has_authenticator, recovery_codes_left, two_factor_required
from linli.accounts.services.api_tokens import (
    api_token_issue,
    api_token_revoke,
    api_token_revoke_raw,
    api_token_user,
)
from linli.accounts.services.lockout import LOCKED_MESSAGE
from linli.accounts.services.two_factor import count_failure, match_code
from linli.api.schemas import ErrorOut
from linli.core.limits import text_limit

router = Router()

# Stripped, then held to the table's limit, as the page's form does.
_LABEL = StringConstraints(strip_whitespace=True, max_length=text_limit(ApiToken, "label"))


class TokenIn(Schema):
    username: str
    password: str
    # The six digits of the authenticator, or a recovery code: required for accounts with two-factor login.
    otp: str = ""
    # What the device is, e.g. "巡逻终端 3": shown in the owner's token list.
    label: Annotated[str, _LABEL] = ""


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in_days: int


class ApiTokenOut(Schema):
    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut})
def token(request: HttpRequest, payload: TokenIn) -> Status[object]:
    """Exchange a username and password for a bearer token (shown once)."""
    try:
        user = authenticate(request, username=payload.username, password=payload.password)
    except PermissionDenied:
        user = None
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"detail": LOCKED_MESSAGE})
    if user is None or not user.is_active:
        return Status(401, {"detail": "用户名或口令不正确"})
    assert isinstance(user, User)
    if two_factor_required(user):
        if not has_authenticator(user) and not recovery_codes_left(user):
            return Status(401, {"detail": "该账号需要两步验证，请先在网页上登录并绑定身份验证器"})
        if not payload.otp.strip():
            return Status(401, {"detail": "该账号需要两步验证，请在 otp 中填写验证码"})
        if match_code(user, payload.otp) is None:
            if count_failure(request, user):
                return Status(429, {"detail": LOCKED_MESSAGE})
            return Status(401, {"detail": "验证码不正确"})
    if user.must_change_password:
        return Status(403, {"detail": "请先在网页上修改口令"})
    raw = api_token_issue(user=user, label=payload.label)
    return Status(200, {"token": raw, "expires_in_days": settings.LINLI_API_TOKEN_DAYS})


@router.get("/auth/tokens", response=list[ApiTokenOut])
def tokens(request: HttpRequest) -> list[ApiToken]:
    """The signed-in user's own tokens, newest first, revoked and expired ones included."""
    return list(api_tokens_of(user=request.user)[:100])


@router.delete("/auth/tokens/{token_id}", response={204: None, 404: ErrorOut})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of the user's own tokens."""
    api_token_revoke(actor=request.user, token=get_own_api_token(request.user, token_id))
    return Status(204, None)


@router.post("/auth/logout", response={204: None})
def logout(request: HttpRequest) -> Status[None]:
    """Sign this device out: the bearer token of the request stops working."""
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        api_token_revoke_raw(raw=raw.strip())
    return Status(204, None)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the API's token sign-in (tokens from `POST /auth/token`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is None:
            return None
        request.user = user
        return user
