"""Audit events for reads of personal data: one per page view or API answer, never one per row.

The page and the API answer of the same read call the same helper with the same action, so that they
record the same event once. A list or search is recorded against the unit it covers (the unit asked
for, or the user's whole scope), with the filter and the page in `detail`; a full ID number searched
for is never stored: the event says "按身份证号查询" and keeps a keyed digest, so that an auditor holding
a number can find who searched for it, but nobody can read the number back from the log.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models

from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.core import paths

if TYPE_CHECKING:
    from linli.accounts.models import User

ID_NUMBER_SEARCH = "按身份证号查询"


def id_number_digest(number: str) -> str:
    """A keyed digest of an ID number (HMAC-SHA256 with the secret key, 32 hex digits)."""
    key = f"linli-audit-id-number:{settings.SECRET_KEY}".encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]


def scope_unit_path(user: User | AnonymousUser) -> str:
    """The one unit that holds all of the user's data scope: the common ancestor of its roots."""
    scope = scope_for(user)
    roots = scope.full_roots or scope.unit_roots
    if not roots:
        return ""
    common = roots[0].split(paths.SEPARATOR)
    for root in roots[1:]:
        parts = root.split(paths.SEPARATOR)
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return paths.SEPARATOR.join(common) or roots[0]


def audit_read(
    *,
    user: User | AnonymousUser,
    action: str,
    obj: models.Model | None = None,
    unit_path: str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record one read. Without `unit_path` the read is recorded against the user's whole scope.

    `user` may still be `request.user` unnarrowed (registry's pages); an anonymous one is recorded
    without an actor, as `audit_record` always did."""
    if unit_path is None:
        unit_path = scope_unit_path(user)
    audit_record(
        actor=None if isinstance(user, AnonymousUser) else user,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        unit_path=unit_path,
        detail={k: v for k, v in (detail or {}).items() if v not in ("", None)},
    )


def search_terms(*, name: str = "", phone_last4: str = "", id_number: str = "") -> dict[str, Any]:
    """What a resident search asked for, fit for the log: never the ID number itself."""
    if id_number:
        return {"by": ID_NUMBER_SEARCH, "id_number_digest": id_number_digest(id_number)}
    return {"name": name, "phone_last4": phone_last4}
