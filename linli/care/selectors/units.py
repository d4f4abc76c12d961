"""Units as the care pages and API see them: where the user's care pages start, a person's grid, members."""

from __future__ import annotations

from django.db.models import QuerySet

from linli.accounts.models import ROLE_CAPABILITIES, Capability, Membership, User
from linli.accounts.selectors.scope import scope_for
from linli.care.models import KeyPerson
from linli.core import paths
from linli.org.models import Unit


def care_units_of(*, user: User) -> QuerySet[Unit]:
    """The units at the top of the user's geographic scope: where their care pages start."""
    roots = scope_for(user).full_roots
    return Unit.objects.filter(path__in=roots, is_active=True).select_related("scheme").order_by("path")


def grid_of(*, key_person: KeyPerson) -> Unit | None:
    """The grid of a key person the caller has accessed (for its name and its worklist link)."""
    return Unit.objects.filter(path=key_person.unit_path).first()


def members_for(path: str) -> QuerySet[User]:
    """People who may be paired with someone living at `path`: roles that log contacts there."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.LOG_CONTACTS in caps]
    ancestors = [*paths.ancestors(path), path]
    user_ids = Membership.objects.filter(
        is_active=True, role__in=roles, unit__path__in=ancestors, user__is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=user_ids).order_by("display_name", "username")
