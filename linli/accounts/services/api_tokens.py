"""API tokens: issued to a signed-in user, stored only as a hash, revoked by their owner or a security
administrator."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import ApiToken, User
from linli.accounts.services.users import _require_reason, _require_security_over
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.core.limits import text_limit, too_long


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, label: str = "", session_key: str = "") -> str:
    """A new bearer token for an authenticated user; returned once, stored only as a hash. A token made
    from a web session (`session_key`) is revoked when that session signs out."""
    label = label.strip()
    limit = text_limit(ApiToken, "label")
    if len(label) > limit:
        raise ServiceError(too_long(limit), field="label")
    raw = "ll_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        key_hash=_hash_token(raw),
        label=label,
        session_key=session_key,
        expires_at=timezone.now() + timedelta(days=settings.LINLI_API_TOKEN_DAYS),
    )
    token.save()
    audit_record(actor=user, action="api_token.issue", obj=token, detail={"label": token.label})
    return raw


def api_token_revoke_raw(*, raw: str) -> bool:
    """Revoke the token whose bearer presents it (API sign-out)."""
    token = ApiToken.objects.filter(key_hash=_hash_token(raw), revoked_at__isnull=True).first()
    if token is None:
        return False
    api_token_revoke(actor=token.user, token=token)
    return True


def api_token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None. Marks the token used (at most once a minute)."""
    if not raw.startswith("ll_") or len(raw) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None or token.user.must_change_password:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _revoke_tokens(tokens: Any) -> int:
    return int(tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now()))


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one token: by its owner, or by a security administrator over the owner."""
    if actor is None or actor.pk != token.user_id:
        _require_security_over(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor: Any, user: User, reason: str) -> int:
    """Revoke every token of the user (a security administrator, e.g. for a lost terminal)."""
    _require_security_over(actor, user)
    _require_reason(reason)
    count = _revoke_tokens(ApiToken.objects.filter(user=user))
    audit_record(actor=actor, action="api_token.revoke_all", obj=user, reason=reason, detail={"count": count})
    return count


@transaction.atomic
def api_tokens_revoke_for_session(*, user: Any, session_key: str) -> int:
    """Signing out of a web session revokes the tokens created from it."""
    if not session_key:
        return 0
    tokens = ApiToken.objects.filter(user=user, session_key=session_key, revoked_at__isnull=True)
    revoked = list(tokens)
    for token in revoked:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoke", obj=token, detail={"at": "logout"})
    return len(revoked)
