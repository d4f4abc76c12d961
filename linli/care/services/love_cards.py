"""Love contact cards (爱心联系卡, C6): issue, revoke, and what a finder's scan shows and sets off.

The card's link is a 32-byte random token: it cannot be guessed or enumerated, and an unknown, revoked
or malformed token gets the same "not found" answer. The finder, who has no account, sees the given
name, the guardians' phones and the station's phone, nothing else. Every scan is logged; the responsible
member and the community officer are alerted through the outbox at once: once per card within a few
minutes, plus the first location a finder types, so that reloads and repeated scans do not flood them.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.care.models import KeyPerson, LoveCard, LoveCardScan
from linli.core import paths
from linli.core.errors import ServiceError
from linli.notify.services.notifications import notify
from linli.org.models import Unit

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")

ALERT_INTERVAL = datetime.timedelta(minutes=5)

# Two-character surnames: the given name follows them.
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
)


def given_name(name: str) -> str:
    """The given name a finder may call the person by: 王秀英 → 秀英, 欧阳明 → 明."""
    name = name.strip()
    if len(name) <= 1:
        return name
    surname_length = 2 if name.startswith(_COMPOUND_SURNAMES) and len(name) > 2 else 1
    return name[surname_length:]


@transaction.atomic
def love_card_issue(*, actor: User, key_person: KeyPerson) -> LoveCard:
    """A new card for the person; any live card of theirs is revoked (its link stops working)."""
    require_capability(actor, Capability.MANAGE_CARE, key_person.unit_path)
    if not key_person.is_active:
        raise ServiceError("该人员已不在重点人员台账中")
    if not key_person.guardians.exists():
        raise ServiceError("请先登记至少一位监护人或紧急联系人，卡上要印他们的电话")
    now = timezone.now()
    revoked = LoveCard.objects.filter(key_person=key_person, revoked_at__isnull=True).update(revoked_at=now)
    card = LoveCard.objects.create(key_person=key_person, token=secrets.token_urlsafe(32), issued_by=actor)
    audit_record(
        actor=actor,
        action="love_card.issue",
        obj=card,
        unit_path=key_person.unit_path,
        detail={"revoked_previous": revoked},
    )
    return card


@transaction.atomic
def love_card_revoke(*, actor: User, card: LoveCard, reason: str) -> LoveCard:
    require_capability(actor, Capability.MANAGE_CARE, card.key_person.unit_path)
    if not reason.strip():
        raise ServiceError("请填写作废原因", field="reason")
    if card.revoked_at is None:
        card.revoked_at = timezone.now()
        card.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="love_card.revoke", obj=card, unit_path=card.key_person.unit_path, reason=reason
    )
    return card


@dataclass(frozen=True)
class FinderView:
    """Everything a finder is shown; nothing else about the person leaves the server."""

    given_name: str
    guardian_phones: list[tuple[str, str]]  # (relation, phone)
    station_name: str
    station_phone: str


def _live_card(token: str) -> LoveCard:
    if not _TOKEN.match(token):
        raise Http404
    card = (
        LoveCard.objects.select_related("key_person", "key_person__resident", "key_person__responsible")
        .filter(token=token, revoked_at__isnull=True, key_person__is_active=True)
        .first()
    )
    if card is None:
        raise Http404
    return card


def _station_of(path: str) -> Unit | None:
    parts = path.split(paths.SEPARATOR)
    return Unit.objects.filter(path=paths.SEPARATOR.join(parts[:2])).first() if len(parts) >= 2 else None


def _community_officer(path: str) -> User | None:
    parts = path.split(paths.SEPARATOR)
    community = (
        Unit.objects.select_related("responsible").filter(path=paths.SEPARATOR.join(parts[:3])).first()
    )
    return community.responsible if community else None


def _alert_claimed(card: LoveCard, *, location: str) -> bool:
    """Whether this scan alerts the responsible people: the first scan of a card, and the first location
    a finder gives, within ALERT_INTERVAL; every later one is only logged.

    Claimed with conditional updates on the card's row, so that of concurrent scans exactly one wins
    (the row lock orders them on PostgreSQL, the write lock on SQLite).
    """
    now = timezone.now()
    since = now - ALERT_INTERVAL
    card_row = LoveCard.objects.filter(pk=card.pk)
    if card_row.filter(Q(last_alert_at__isnull=True) | Q(last_alert_at__lte=since)).update(
        last_alert_at=now, last_location_alert_at=now if location else F("last_location_alert_at")
    ):
        return True
    if not location:
        return False
    return bool(
        card_row.filter(Q(last_location_alert_at__isnull=True) | Q(last_location_alert_at__lte=since)).update(
            last_location_alert_at=now
        )
    )


@transaction.atomic
def love_card_scan(*, token: str, client_address: str, user_agent: str, location: str = "") -> FinderView:
    """A finder opened the card's link: log the scan, alert the people responsible, show the card."""
    card = _live_card(token)
    key_person = card.key_person
    LoveCardScan.objects.create(
        card=card,
        client_address=client_address[:45],
        user_agent=user_agent[:200],
        location=location.strip()[:200],
    )
    audit_record(actor=None, action="love_card.scan", obj=card, unit_path=key_person.unit_path)
    if _alert_claimed(card, location=location.strip()):
        now = timezone.now()
        name = key_person.resident.name
        where = f"，发现地点：{location.strip()[:100]}" if location.strip() else ""
        when = f"{timezone.localtime(now):%H:%M}"
        text = f"【爱心联系卡】{name}的爱心卡于{when}被扫码{where}，请立即与扫码人或家属联系。"
        recipients = {
            u.pk: u
            for u in (key_person.responsible, key_person.backup, _community_officer(key_person.unit_path))
            if u
        }
        for user in recipients.values():
            notify(recipient=user, text=text, unit_path=key_person.unit_path, phone=user.phone)
    station = _station_of(key_person.unit_path)
    guardians = [(g.relation or "家属", g.phone) for g in key_person.guardians.all()]
    return FinderView(
        given_name=given_name(key_person.resident.name),
        guardian_phones=guardians,
        station_name=station.name if station else "",
        station_phone=station.phone if station else "110",
    )


def love_card_url(card: LoveCard, *, base_url: str) -> str:
    return f"{(settings.LINLI_PUBLIC_BASE_URL or base_url).rstrip('/')}/c/{card.token}"
