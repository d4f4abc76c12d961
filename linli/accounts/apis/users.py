"""The signed-in user (/me): who they are, their roles and the units those are held on."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from linli.accounts.models import Membership, Role, User
from linli.accounts.selectors.users import memberships_of
from linli.api.schemas import UnitRef, choices_of
from linli.org.models import Unit

router = Router()


class RoleOut(Schema):
    role: Annotated[Role, choices_of(Role)]
    role_label: str = Field(alias="get_role_display")
    title: str
    unit: UnitRef


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
    units: list[UnitRef]

    @staticmethod
    def resolve_roles(user: User, context: dict[str, Any]) -> list[Membership]:
        return _memberships(user, context)

    @staticmethod
    def resolve_units(user: User, context: dict[str, Any]) -> list[Unit]:
        units = {m.unit.code: m.unit for m in _memberships(user, context)}
        return list(units.values())


def _memberships(user: User, context: dict[str, Any]) -> list[Membership]:
    # Roles and units are read from the same memberships: one query per answer, kept on the request.
    request = context["request"]
    if not hasattr(request, "_linli_memberships"):
        request._linli_memberships = list(memberships_of(user=user))
    memberships: list[Membership] = request._linli_memberships
    return memberships


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> User:
    """The signed-in user, their roles and the units those roles are held on."""
    user = request.user
    assert isinstance(user, User)
    return user
