"""Who holds which roles, and the accounts a security administrator acts on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import Capability, Membership, User
from linli.accounts.selectors.scope import scope_for
from linli.core import paths


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("unit", "unit__scheme")
        .order_by("unit__path", "role")
    )


def _security_roots(user: Any) -> list[str]:
    scope = scope_for(user)
    return [g.path for g in scope.grants if scope.can(Capability.MANAGE_SECURITY, g.path)]


def managed_accounts(*, user: Any, query: str = "", limit: int = 200) -> QuerySet[User]:
    """Accounts holding a role in the subtrees where `user` manages security, with their two-factor,
    lockout and token state; the user's own account is not among them."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    roots = _security_roots(user)
    if not roots:
        return User.objects.none()
    in_scope = Membership.objects.filter(paths.any_subtree_q("unit__path", roots), is_active=True)
    failures = (
        AccessAttempt.objects.filter(
            username=OuterRef("username"), attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    accounts = (
        User.objects.filter(pk__in=in_scope.values("user_id"))
        .exclude(pk=user.pk)
        .annotate(
            has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            live_tokens=Count(
                "api_tokens",
                filter=Q(api_tokens__revoked_at__isnull=True, api_tokens__expires_at__gt=timezone.now()),
            ),
            failures=Coalesce(Subquery(failures), 0),
        )
        .order_by("username")
    )
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return accounts[:limit]


def get_managed_account(user: Any, username: str) -> User:
    """An account the security administrator acts on; outside their subtree is the same 404 as absent."""
    roots = _security_roots(user)
    found = (
        User.objects.filter(
            username=username,
            memberships__in=Membership.objects.filter(
                paths.any_subtree_q("unit__path", roots), is_active=True
            ),
        )
        .exclude(pk=user.pk)
        .first()
        if roots
        else None
    )
    if found is None:
        raise Http404
    return found
