from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from linli.accounts import twofactor
from linli.accounts.lockout import LOCKED_MESSAGE
from linli.accounts.models import ApiToken, Role, User
from linli.accounts.selectors import api_tokens_of, get_own_api_token, memberships_of
from linli.accounts.services import api_token_issue, api_token_revoke, api_token_revoke_raw
from linli.api.schemas import ErrorOut, UnitRef

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str
    # The six digits of the authenticator, or a recovery code: required for accounts with two-factor login.
    otp: str = ""
    # What the device is, e.g. "巡逻终端 3": shown in the owner's token list.
    label: str = ""


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


class RoleOut(Schema):
    role: str
    role_label: str
    title: str
    unit: UnitRef


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
    units: list[UnitRef]


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
    if twofactor.two_factor_required(user):
        if not twofactor.has_authenticator(user) and not twofactor.recovery_codes_left(user):
            return Status(401, {"detail": "该账号需要两步验证，请先在网页上登录并绑定身份验证器"})
        if not payload.otp.strip():
            return Status(401, {"detail": "该账号需要两步验证，请在 otp 中填写验证码"})
        if twofactor.match_code(user, payload.otp) is None:
            if twofactor.count_failure(request, user):
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


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    """The signed-in user, their roles and the units those roles are held on."""
    user = request.user
    assert isinstance(user, User)
    memberships = list(memberships_of(user=user))
    units: dict[str, dict[str, str]] = {}
    roles = []
    for m in memberships:
        ref = {"code": m.unit.code, "name": m.unit.name}
        units.setdefault(m.unit.code, ref)
        roles.append({"role": m.role, "role_label": str(Role(m.role).label), "title": m.title, "unit": ref})
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": roles,
        "units": list(units.values()),
    }
