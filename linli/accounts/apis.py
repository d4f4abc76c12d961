from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from linli.accounts.lockout import LOCKED_MESSAGE
from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.accounts.selectors import memberships_of
from linli.accounts.services import api_token_issue
from linli.api.schemas import ErrorOut, UnitRef

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in_days: int


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


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
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
    return Status(
        200, {"token": api_token_issue(user=user), "expires_in_days": settings.LINLI_API_TOKEN_DAYS}
    )


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
