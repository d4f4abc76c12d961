"""Reads of typical cases: the political department picks them from the solved requests of its
district(s), without personal data; everyone reads the published ones of the districts they work in."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.models import ROLE_CAPABILITIES, Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.needs.models import Request


def political_district_paths(*, user: User) -> list[str]:
    """The districts in which the user (political department) may pick typical cases."""
    result = set()
    for grant in scope_for(user).grants:
        if Capability.MARK_TYPICAL not in ROLE_CAPABILITIES.get(grant.role, frozenset()):
            continue
        district = grant.path.split(paths.SEPARATOR)[0]
        result.add(district)
    return sorted(result)


def typical_candidates(*, user: User) -> QuerySet[Request]:
    """Solved and closed requests of the user's district(s), for the political department."""
    districts = political_district_paths(user=user)
    if not districts:
        return Request.objects.none()
    return (
        Request.objects.filter(
            paths.any_subtree_q("unit_path", districts),
            state__in=[Request.State.SOLVED, Request.State.CLOSED],
        )
        .select_related("category", "unit")
        .order_by("-solved_at", "-id")
    )


def get_typical_candidate(user: User, request_id: int) -> Request:
    found = typical_candidates(user=user).filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


def published_cases(*, user: User) -> QuerySet[Request]:
    """Typical cases of the districts the user works in: title and write-up, nothing personal."""
    districts = sorted({g.path.split(paths.SEPARATOR)[0] for g in scope_for(user).grants})
    if not districts:
        return Request.objects.none()
    return (
        Request.objects.filter(paths.any_subtree_q("unit_path", districts), is_typical=True)
        .select_related("category")
        .order_by("-typical_marked_at", "-id")
    )
