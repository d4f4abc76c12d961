"""Lockout after repeated failed sign-ins (django-axes), and what a locked-out client gets.

Failures are counted three ways, each against its own limit within the cool-off period:
- one username from one address (LINLI_LOGIN_FAILURE_LIMIT): someone mistyping, or guessing slowly;
- one username from any address (LINLI_LOGIN_ACCOUNT_FAILURE_LIMIT): guesses spread over many addresses;
- one address against any username (LINLI_LOGIN_ADDRESS_FAILURE_LIMIT): password spraying.
Unknown usernames are counted like known ones, so a lockout says nothing about whether an account exists.
Wrong two-factor codes are failures too (linli.accounts.services.two_factor).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest

LOCKED_MESSAGE = "登录失败次数过多，请稍后再试"


def _limit_for(parameter: str | list[str] | tuple[str, ...]) -> int:
    if parameter == "username":
        return int(settings.LINLI_LOGIN_ACCOUNT_FAILURE_LIMIT)
    if parameter == "ip_address":
        return int(settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT)
    return int(settings.AXES_FAILURE_LIMIT)


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class LinliAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per way of counting instead of one for all."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # Axes compares the answer with AXES_FAILURE_LIMIT: report that limit once any count reaches its own.
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        pair_failures = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = _failures(attempts)
            if failures >= _limit_for(parameter):
                return int(settings.AXES_FAILURE_LIMIT)
            if not isinstance(parameter, str):
                pair_failures = max(pair_failures, failures)
        return pair_failures

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # A successful sign-in clears its username's counts, never its address's: one good account must
        # not let a sprayer start again from zero.
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.filter_user_attempts(request, credentials)
        count = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            if parameter == "ip_address":
                continue
            deleted, _ = attempts.delete()
            count += deleted
        return count
