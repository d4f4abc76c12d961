"""Account events written before `audit_record` gave them a unit (sign-ins, failed sign-ins, tokens,
account changes: about 580 in the demo) get the district of the account they concern, so that the
district's auditors see them; the chain is then rebuilt from the first changed event on.

The rule is the service's (linli.audit.services.events.account_unit_paths), applied to stored rows: the
account is the object if it is a user, else the actor, else the username tried at login; without a
role there, the deployment's first district. A stored row gets one district (new events are written
once per district of the account).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from linli.audit.selectors.chain import GENESIS, HASHED_FIELDS, event_hash
from linli.core.append_only import with_triggers_suspended

PREFIXES = ("auth.", "account.", "user.", "api_token.", "membership.", "password.", "otp.")


def fill(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    membership_model = apps.get_model("accounts", "Membership")
    user_model = apps.get_model("accounts", "User")
    unit_model = apps.get_model("org", "Unit")

    first_district: dict[int, str] = {}
    for user_id, path in membership_model.objects.order_by("-is_active", "created_at", "id").values_list(
        "user_id", "unit__path"
    ):
        first_district.setdefault(user_id, path.split(".")[0])
    user_ids = {u.lower(): pk for pk, u in user_model.objects.values_list("pk", "username")}
    fallback = unit_model.objects.filter(parent__isnull=True).order_by("path").values_list("path", flat=True)
    deployment = fallback.first() or ""

    def district_of(row: dict[str, Any]) -> str:
        candidates = []
        if row["object_type"] == "accounts.user" and str(row["object_id"]).isdigit():
            candidates.append(int(row["object_id"]))
        if row["actor_id"]:
            candidates.append(row["actor_id"])
        username = str((row["detail"] or {}).get("username", "")).lower()
        if username in user_ids:
            candidates.append(user_ids[username])
        for user_id in candidates:
            if user_id in first_district:
                return first_district[user_id]
        return deployment

    first_changed = None
    account_rows = event_model.objects.filter(unit_path="").order_by("id")
    for row in account_rows.values(
        "id", "action", "object_type", "object_id", "actor_id", "detail"
    ).iterator():
        if not row["action"].startswith(PREFIXES):
            continue
        district = district_of(row)
        if district:
            event_model.objects.filter(id=row["id"]).update(unit_path=district)
            first_changed = first_changed or row["id"]
    if first_changed is None:
        return
    # Re-chain from the first changed event (earlier links are unchanged).
    previous = event_model.objects.filter(id__lt=first_changed).order_by("-id").values_list("hash", flat=True)
    prev_hash = previous.first() or GENESIS
    after = first_changed - 1
    while True:
        rows = list(
            event_model.objects.filter(id__gt=after).order_by("id").values("id", *HASHED_FIELDS)[:2000]
        )
        if not rows:
            return
        for row in rows:
            digest = event_hash(row, prev_hash)
            event_model.objects.filter(id=row["id"]).update(prev_hash=prev_hash, hash=digest)
            prev_hash = digest
        after = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_refuse_replace_and_truncate"),
        ("accounts", "0002_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        with_triggers_suspended("audit_auditevent", "audit_event", "audit events are append-only", fill)
    ]
