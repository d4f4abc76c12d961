"""Changing a password: by its owner, or on a security administrator's demand at the next request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.models import ApiToken, User
from linli.accounts.services.api_tokens import _revoke_tokens
from linli.accounts.services.users import _require_reason, _require_security_over
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user sets a new password; every API token of theirs stops working."""
    if not user.check_password(old_password):
        raise ServiceError("原口令不正确", field="old_password")
    if old_password == new_password:
        raise ServiceError("新口令不能与原口令相同", field="new_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError("；".join(exc.messages), field="new_password") from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=user, action="password.change", obj=user)
    return user


@transaction.atomic
def password_force_change(*, actor: Any, user: User, reason: str) -> User:
    """The user must choose a new password at their next request; their API tokens are revoked."""
    _require_security_over(actor, user)
    _require_reason(reason)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=actor, action="password.force_change", obj=user, reason=reason)
    return user
