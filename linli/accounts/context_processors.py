from __future__ import annotations

from django.http import HttpRequest

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for


def linli(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    can_view_audit = bool(
        user and user.is_authenticated and scope_for(user).can_anywhere(Capability.VIEW_AUDIT)
    )
    return {"can_view_audit": can_view_audit}
