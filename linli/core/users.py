"""The signed-in user of a page or an endpoint, typed."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser

U = TypeVar("U")


def signed_in(user: U | AnonymousUser) -> U:
    """`request.user` behind `login_required` or the API's token check: never anonymous there.

    django-stubs types `request.user` as `User | AnonymousUser`. core may not import linli.accounts
    (docs/architecture.md, "Layers"), so the user type comes from the argument:
    `signed_in(request.user)` is a `linli.accounts.models.User`.
    """
    assert not isinstance(user, AnonymousUser), "a signed-in page or endpoint was reached without a login"
    return user
