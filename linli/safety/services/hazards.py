"""Every write about hazards (P2): recording, opening one from a contact, re-checks, overdue reminders."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.care.models import Contact, RiskLevel, Sweep
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.limits import text_limit
from linli.notify.services.notifications import notify
from linli.org.models import Unit
from linli.safety.models import Hazard, HazardRecheck
from linli.safety.selectors.places import community_officer_of, community_path_of
from linli.safety.services.disputes import _require_place, _require_user, _text

# 限期整改 for a hazard found on a contact, unless the caller gives a deadline.
CONTACT_HAZARD_DEADLINE_DAYS = 7
# A re-check may be logged a little ahead of the server's clock (phones drift), never later.
_CLOCK_SKEW = datetime.timedelta(minutes=10)


def _related(path: str, other: str) -> bool:
    return paths.is_within(path, other) or paths.is_within(other, path)


@transaction.atomic
def hazard_record(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    risk_level: str,
    source: str,
    description: str,
    responsible_party: str,
    deadline: datetime.date,
    place: str = "",
    found_on: datetime.date | None = None,
    contact: Contact | None = None,
    sweep: Sweep | None = None,
) -> Hazard:
    """Log a hazard in a grid or community with who must put it right and by when (限期整改).

    A hazard linked to a contact or a sweep takes that as its source.
    """
    require_capability(actor, Capability.HANDLE_SAFETY, unit.path)
    _require_user(actor)
    _require_place(unit)
    if kind not in Hazard.Kind.values:
        raise ServiceError("隐患类型无效", field="kind")
    if risk_level not in RiskLevel.values:
        raise ServiceError("风险等级无效", field="risk_level")
    if contact is not None:
        source = Hazard.Source.CONTACT
        if not _related(contact.key_person.unit_path, community_path_of(unit.path)):
            raise ServiceError("该联系记录不在这个网格或社区", field="contact")
    if sweep is not None:
        source = Hazard.Source.SWEEP
        if not _related(sweep.unit_path, unit.path):
            raise ServiceError("该排查行动不在这个网格或社区", field="sweep")
    if source not in Hazard.Source.values:
        raise ServiceError("发现途径无效", field="source")
    description = _text(
        description, text_limit(Hazard, "description"), "description", "隐患描述", required=True
    )
    responsible_party = _text(
        responsible_party, text_limit(Hazard, "responsible_party"), "responsible_party", "整改责任方",
        required=True,
    )  # fmt: skip
    place = _text(place, text_limit(Hazard, "place"), "place", "具体位置")
    today = timezone.localdate()
    found_on = found_on or today
    if found_on > today:
        raise ServiceError("发现日期不能晚于今天", field="found_on")
    if deadline < today:
        raise ServiceError("整改期限不能早于今天", field="deadline")
    hazard = Hazard.objects.create(
        unit_path=unit.path, kind=kind, risk_level=risk_level, source=source, description=description,
        place=place, responsible_party=responsible_party, found_on=found_on, deadline=deadline,
        contact=contact, sweep=sweep, recorded_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, action="hazard.record", obj=hazard, unit_path=unit.path,
        detail={"kind": kind, "risk_level": risk_level, "source": source},
    )  # fmt: skip
    return hazard


@transaction.atomic
def hazard_for_contact_hazards(sender: Any, *, actor: User, contact: Contact, **kwargs: Any) -> None:
    """Receiver of `linli.care.signals.contact_logged`: a hazard found at the person's home goes on the
    hazard register with a deadline (P2), in the contact's transaction."""
    if contact.hazards_found:
        hazard_open_from_contact(actor=actor, contact=contact)


def hazard_open_from_contact(
    *, actor: User, contact: Contact, deadline: datetime.date | None = None
) -> Hazard:
    """Open a hazard for what a contact found (`Contact.hazards_found`) at the key person's home.

    Type 其他, the key person's risk level, the key person's grid, the household as the responsible
    party, and seven days to put it right unless `deadline` says otherwise. Calling it again for the same
    contact returns the hazard already opened.
    """
    key_person = contact.key_person
    require_capability(actor, Capability.HANDLE_SAFETY, key_person.unit_path)
    _require_user(actor)
    description = contact.hazards_found.strip()
    if not description:
        raise ServiceError("该联系记录没有发现隐患", field="hazards_found")
    existing = Hazard.objects.filter(contact=contact).order_by("id").first()
    if existing is not None:
        return existing
    resident = key_person.resident
    address = resident.address.full_text if resident.address_id and resident.address else ""
    hazard = Hazard.objects.create(
        unit_path=key_person.unit_path,
        kind=Hazard.Kind.OTHER,
        risk_level=key_person.risk_level,
        source=Hazard.Source.CONTACT,
        # Copied from the contact and the register, not typed here: cut to the columns, never refused (a
        # refusal would roll back the contact that found the hazard).
        description=description[: text_limit(Hazard, "description")],
        place=(address or resident.reported_address)[: text_limit(Hazard, "place")],
        responsible_party=f"{resident.name}（住户）"[: text_limit(Hazard, "responsible_party")],
        found_on=timezone.localdate(contact.occurred_at),
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=CONTACT_HAZARD_DEADLINE_DAYS),
        contact=contact,
        recorded_by=actor,
    )
    audit_record(
        actor=actor, action="hazard.record", obj=hazard, unit_path=hazard.unit_path,
        detail={"kind": hazard.kind, "risk_level": hazard.risk_level, "source": hazard.source,
                "contact": contact.pk},
    )  # fmt: skip
    return hazard


@transaction.atomic
def hazard_recheck(
    *,
    actor: User,
    hazard: Hazard,
    cleared: bool,
    note: str = "",
    checked_at: datetime.datetime | None = None,
    new_deadline: datetime.date | None = None,
) -> HazardRecheck:
    """Record a re-check (复查). One that finds the hazard cleared closes it (销号); one that does not
    needs a note and may give a new deadline."""
    require_capability(actor, Capability.HANDLE_SAFETY, hazard.unit_path)
    _require_user(actor)
    locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if locked.state != Hazard.State.OPEN:
        raise ServiceError("该隐患已整改销号，无需复查")
    now = timezone.now()
    checked_at = checked_at or now
    if timezone.is_naive(checked_at):
        raise ServiceError("复查时间缺少时区", field="checked_at")
    if checked_at > now + _CLOCK_SKEW:
        raise ServiceError("复查时间不能晚于现在", field="checked_at")
    checked_on = timezone.localdate(checked_at)
    if checked_on < locked.found_on:
        raise ServiceError("复查时间不能早于发现日期", field="checked_at")
    note = _text(note, text_limit(HazardRecheck, "note"), "note", "复查情况", required=not cleared)
    fields = ["updated_at"]
    if cleared:
        new_deadline = None
        locked.state = Hazard.State.CLEARED
        locked.cleared_on = checked_on
        fields += ["state", "cleared_on"]
    elif new_deadline is not None:
        if new_deadline < timezone.localdate():
            raise ServiceError("新的整改期限不能早于今天", field="new_deadline")
        locked.deadline = new_deadline
        locked.overdue_notified_on = None
        fields += ["deadline", "overdue_notified_on"]
    recheck = HazardRecheck.objects.create(
        hazard=locked, checked_at=checked_at, checked_by=actor, cleared=cleared, note=note,
        new_deadline=new_deadline,
    )  # fmt: skip
    locked.save(update_fields=fields)
    audit_record(
        actor=actor, action="hazard.recheck", obj=locked, unit_path=locked.unit_path,
        detail={"recheck": recheck.pk, "cleared": cleared},
    )  # fmt: skip
    hazard.state, hazard.cleared_on, hazard.deadline = locked.state, locked.cleared_on, locked.deadline
    return recheck


def hazards_remind_overdue(*, today: datetime.date | None = None) -> int:
    """Tell whoever recorded a hazard, and the community officer, once its deadline passed unrectified."""
    today = today or timezone.localdate()
    due = Hazard.objects.filter(
        state=Hazard.State.OPEN, deadline__lt=today, overdue_notified_on__isnull=True
    ).select_related("recorded_by")[:500]
    told = 0
    for hazard in due:
        with transaction.atomic():
            claimed = Hazard.objects.filter(pk=hazard.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=today
            )
            if claimed != 1:
                continue
            text = (
                f"隐患“{hazard.description[:30]}”已超过整改期限（{hazard.deadline:%Y-%m-%d}），"
                "请督促整改并复查。"
            )
            recipients = {hazard.recorded_by, community_officer_of(path=hazard.unit_path)} - {None}
            for user in recipients:
                notify(
                    recipient=user, text=text, unit_path=hazard.unit_path, phone=getattr(user, "phone", "")
                )
            told += 1
    return told
