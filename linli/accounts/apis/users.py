"""The signed-in user (/me): who they are, their roles and the units those are held on."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from linli.accounts.models import Role, User
from linli.accounts.selectors.users import memberships_of
from linli.api.schemas import UnitRef

router = Router()


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
