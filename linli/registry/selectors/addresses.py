"""Permission-bearing reads of standard addresses and of the texts waiting to be matched to one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.core import paths
from linli.org.selectors.units import ReadOnlyAccess
from linli.registry.models import Address, AddressReview


def addresses_visible_to(*, user: Any) -> QuerySet[Address]:
    scope = scope_for(user)
    return Address.objects.filter(paths.any_subtree_q("unit_path", scope.full_roots))


def get_address_for_user(user: Any, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id).first()
    if address is None:
        raise Http404
    if not scope_for(user).covers(address.unit_path):
        raise Http404
    return address


def address_reviews_pending_for(*, user: Any) -> QuerySet[AddressReview]:
    """Texts waiting for a person to match them, in the user's subtrees, oldest first."""
    scope = scope_for(user)
    return (
        AddressReview.objects.filter(
            paths.any_subtree_q("unit_path", scope.full_roots), state=AddressReview.State.PENDING
        )
        .select_related("resident")
        .order_by("created_at", "id")
    )


def get_address_review_for_manage(user: Any, review_id: int) -> AddressReview:
    """A queued text the user may settle: 404 outside scope, 403 for those who may only look."""
    review = AddressReview.objects.select_related("resident").filter(pk=review_id).first()
    if review is None:
        raise Http404
    if not scope_for(user).covers(review.unit_path):
        raise Http404
    if not scope_for(user).can(Capability.MANAGE_REGISTRY, review.unit_path):
        raise ReadOnlyAccess
    return review
