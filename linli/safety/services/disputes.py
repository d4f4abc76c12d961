"""Every write about disputes (P1): logging, transfer, mediation, checks of agreements and their reminders."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability, scope_for
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.core.limits import text_limit, too_long
from linli.notify.services.notifications import notify
from linli.org.models import Unit
from linli.safety.models import (
    TRANSFER_REASON_MAX_LENGTH,
    Dispute,
    DisputeCheck,
    DisputeEvent,
    DisputeParty,
    Mediation,
)
from linli.safety.selectors.places import community_officer_of

# An agreement is checked this many days after it was made (回访).
CHECK_DAYS = (7, 30)
MAX_PARTIES = 10
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")


@dataclass(frozen=True)
class PartyInput:
    name: str
    phone: str = ""


def _require_place(unit: Unit) -> None:
    if unit.kind not in (Unit.Kind.GRID, Unit.Kind.COMMUNITY):
        raise ServiceError("请选择网格或社区/村", field="unit")


def _require_user(actor: User) -> None:
    if not isinstance(actor, User):
        raise ServiceError("须由具体人员登记")


def _text(value: str, limit: int, field: str, label: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ServiceError(f"请填写{label}", field=field)
    if len(value) > limit:
        raise ServiceError(too_long(limit, label), field=field)
    return value


def _event(
    dispute: Dispute, kind: str, actor: User | None, text: str = "", to_user: User | None = None
) -> DisputeEvent:
    return DisputeEvent.objects.create(
        dispute=dispute, at=timezone.now(), kind=kind, actor=actor if isinstance(actor, User) else None,
        # The timeline's line, composed here: a long agreement is cut on it, never in the mediation.
        to_user=to_user, text=text[: text_limit(DisputeEvent, "text")],
    )  # fmt: skip


def _headline(dispute: Dispute) -> str:
    summary = dispute.summary if len(dispute.summary) <= 30 else dispute.summary[:30] + "…"
    return f"{dispute.get_kind_display()}（{summary}）"


def _check_parties(parties: Sequence[PartyInput]) -> list[PartyInput]:
    cleaned = []
    for party in parties:
        name, phone = party.name.strip(), re.sub(r"\s+", "", party.phone)
        if not name and not phone:
            continue
        if not name:
            raise ServiceError("请填写当事人姓名", field="parties")
        if len(name) > (limit := text_limit(DisputeParty, "name")):
            raise ServiceError(too_long(limit, "当事人姓名"), field="parties")
        if phone and not _PHONE.match(phone):
            raise ServiceError(f"当事人{name}的电话号码格式不正确", field="parties")
        cleaned.append(PartyInput(name, phone))
    if not cleaned:
        raise ServiceError("请至少填写一方当事人", field="parties")
    if len(cleaned) > MAX_PARTIES:
        raise ServiceError(f"当事人最多 {MAX_PARTIES} 人", field="parties")
    return cleaned


def _agree(*, dispute: Dispute, mediation: Mediation, actor: User) -> list[DisputeCheck]:
    """An agreement settles the dispute and schedules its checks."""
    assert mediation.agreement_on is not None
    dispute.state = Dispute.State.RESOLVED
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["state", "resolved_at", "updated_at"])
    checks = DisputeCheck.objects.bulk_create(
        DisputeCheck(
            dispute=dispute,
            mediation=mediation,
            unit_path=dispute.unit_path,
            days_after=days,
            due_on=mediation.agreement_on + datetime.timedelta(days=days),
        )
        for days in CHECK_DAYS
    )
    due = "、".join(f"{c.due_on.month}月{c.due_on.day}日" for c in checks)
    agreed_on = mediation.agreement_on
    text = (
        f"{agreed_on:%Y-%m-%d} {mediation.agreement_parties}达成协议：{mediation.agreement_text}。回访：{due}"
    )
    _event(dispute, DisputeEvent.Kind.AGREED, actor, text)
    return checks


@transaction.atomic
def dispute_log(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    summary: str,
    occurred_on: datetime.date,
    parties: Sequence[PartyInput],
    place: str = "",
    resolved_on_spot: bool = False,
    outcome: str = "",
) -> Dispute:
    """Log a dispute in a grid or community; the community officer is told.

    Settled on the spot, it stays with whoever logged it, the settlement is its agreement and the checks
    at 7 and 30 days are scheduled. Otherwise it is transferred to the community officer.
    """
    require_capability(actor, Capability.HANDLE_SAFETY, unit.path)
    _require_user(actor)
    _require_place(unit)
    if kind not in Dispute.Kind.values:
        raise ServiceError("纠纷类型无效", field="kind")
    summary = _text(summary, text_limit(Dispute, "summary"), "summary", "纠纷概况", required=True)
    place = _text(place, text_limit(Dispute, "place"), "place", "发生地点")
    today = timezone.localdate()
    if occurred_on > today:
        raise ServiceError("发生日期不能晚于今天", field="occurred_on")
    cleaned = _check_parties(parties)
    if resolved_on_spot:
        outcome = _text(outcome, text_limit(Mediation, "outcome"), "outcome", "当场化解的情况", required=True)
        # The parties agreed to the settlement: their names are its agreement's parties, refused if too long.
        names = "、".join(p.name for p in cleaned)
        names = _text(names, text_limit(Mediation, "agreement_parties"), "parties", "协议各方姓名")
    dispute = Dispute.objects.create(
        unit_path=unit.path, kind=kind, summary=summary, place=place, occurred_on=occurred_on,
        resolved_on_spot=resolved_on_spot, logged_by=actor, owner=actor,
    )  # fmt: skip
    DisputeParty.objects.bulk_create(
        DisputeParty(dispute=dispute, name=p.name, phone=p.phone, sort_order=i) for i, p in enumerate(cleaned)
    )
    _event(dispute, DisputeEvent.Kind.LOGGED, actor, f"{unit.name}：{summary}")
    audit_record(actor=actor, action="dispute.log", obj=dispute, unit_path=unit.path)
    officer = community_officer_of(path=unit.path)
    if resolved_on_spot:
        mediation = Mediation.objects.create(
            dispute=dispute, mediated_by=actor, outcome=outcome, on_the_spot=True, agreed=True,
            agreement_text=outcome, agreement_on=occurred_on, agreement_parties=names,
        )  # fmt: skip
        checks = _agree(dispute=dispute, mediation=mediation, actor=actor)
        if officer is not None and officer.pk != actor.pk:
            notify(
                recipient=officer,
                unit_path=unit.path,
                text=f"{unit.name}：{actor}当场化解{_headline(dispute)}，"
                f"请于{checks[0].due_on.month}月{checks[0].due_on.day}日起回访。",
            )
    elif officer is None:
        _event(dispute, DisputeEvent.Kind.TRANSFERRED, None, "该社区暂无社区民警，由登记人跟进")
    elif officer.pk != actor.pk:
        _transfer(dispute=dispute, actor=actor, to=officer, reason="未能当场化解，移交社区民警跟进")
    return dispute


def _transfer(*, dispute: Dispute, actor: User, to: User, reason: str) -> None:
    previous = dispute.owner_id
    dispute.owner = to
    dispute.save(update_fields=["owner", "updated_at"])
    _event(dispute, DisputeEvent.Kind.TRANSFERRED, actor, reason, to_user=to)
    notify(
        recipient=to,
        unit_path=dispute.unit_path,
        text=f"{actor}将{_headline(dispute)}移交您跟进" + (f"：{reason}" if reason else "。"),
    )
    audit_record(
        actor=actor, action="dispute.transfer", obj=dispute, unit_path=dispute.unit_path, reason=reason,
        detail={"from": previous, "to": to.pk},
    )  # fmt: skip


@transaction.atomic
def dispute_transfer(*, actor: User, dispute: Dispute, to: User | None = None, reason: str = "") -> Dispute:
    """Hand a dispute to another member (by default the community officer), who is told."""
    require_capability(actor, Capability.HANDLE_SAFETY, dispute.unit_path)
    reason = _text(reason, TRANSFER_REASON_MAX_LENGTH, "reason", "移交说明")
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if to is None:
        to = community_officer_of(path=locked.unit_path)
        if to is None:
            raise ServiceError("该社区暂无社区民警，请选择移交给谁", field="to")
    if not to.is_active or not scope_for(to).can(Capability.HANDLE_SAFETY, locked.unit_path):
        raise ServiceError("只能移交给负责该网格或社区的人员", field="to")
    if to.pk == locked.owner_id:
        raise ServiceError(f"该纠纷已由{to}跟进", field="to")
    _transfer(dispute=locked, actor=actor, to=to, reason=reason)
    dispute.owner, dispute.updated_at = locked.owner, locked.updated_at
    return locked


@transaction.atomic
def dispute_mediate(
    *,
    actor: User,
    dispute: Dispute,
    outcome: str,
    agreed: bool,
    agreement_text: str = "",
    agreement_on: datetime.date | None = None,
    agreement_parties: str = "",
) -> Mediation:
    """Record a mediation. An agreement (its text, date and the parties' names) settles the dispute and
    schedules checks 7 and 30 days after the agreement date."""
    require_capability(actor, Capability.HANDLE_SAFETY, dispute.unit_path)
    _require_user(actor)
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.state != Dispute.State.OPEN:
        raise ServiceError("该纠纷已化解；协议未履行时由回访重新打开")
    outcome = _text(outcome, text_limit(Mediation, "outcome"), "outcome", "调解情况", required=True)
    if agreed:
        if agreement_on is None:
            raise ServiceError("达成协议的须填写协议日期", field="agreement_on")
        if agreement_on > timezone.localdate():
            raise ServiceError("协议日期不能晚于今天", field="agreement_on")
        if agreement_on < locked.occurred_on:
            raise ServiceError("协议日期不能早于纠纷发生日期", field="agreement_on")
        agreement_text = _text(
            agreement_text,
            text_limit(Mediation, "agreement_text"),
            "agreement_text",
            "协议内容",
            required=True,
        )
        agreement_parties = _text(
            agreement_parties,
            text_limit(Mediation, "agreement_parties"),
            "agreement_parties",
            "协议各方姓名",
            required=True,
        )
    else:
        agreement_text, agreement_on, agreement_parties = "", None, ""
    mediation = Mediation.objects.create(
        dispute=locked, mediated_by=actor, outcome=outcome, agreed=agreed, agreement_text=agreement_text,
        agreement_on=agreement_on, agreement_parties=agreement_parties,
    )  # fmt: skip
    if agreed:
        _agree(dispute=locked, mediation=mediation, actor=actor)
    else:
        _event(locked, DisputeEvent.Kind.MEDIATED, actor, f"未达成协议：{outcome}")
    if locked.owner_id != actor.pk:
        done = "达成协议，请按期回访" if agreed else "未达成协议"
        notify(
            recipient=locked.owner,
            unit_path=locked.unit_path,
            text=f"{actor}调解了您跟进的{_headline(locked)}：{done}。",
        )
    audit_record(
        actor=actor, action="dispute.mediate", obj=locked, unit_path=locked.unit_path,
        detail={"agreed": agreed, "mediation": mediation.pk},
    )  # fmt: skip
    dispute.state, dispute.resolved_at = locked.state, locked.resolved_at
    return mediation


@transaction.atomic
def dispute_check_record(*, actor: User, check: DisputeCheck, held: bool, note: str = "") -> DisputeCheck:
    """Record whether an agreement held. A broken agreement reopens the dispute, cancels its later check
    and tells the owner."""
    require_capability(actor, Capability.HANDLE_SAFETY, check.unit_path)
    _require_user(actor)
    locked = DisputeCheck.objects.select_for_update().select_related("dispute").get(pk=check.pk)
    if locked.state == DisputeCheck.State.CANCELLED:
        raise ServiceError("协议此前已确认未履行，这次回访已取消")
    if locked.state != DisputeCheck.State.PENDING:
        raise ServiceError("这次回访已登记过")
    note = _text(note, text_limit(DisputeCheck, "note"), "note", "回访情况", required=not held)
    now = timezone.now()
    locked.state = DisputeCheck.State.HELD if held else DisputeCheck.State.BROKEN
    locked.checked_by = actor
    locked.checked_at = now
    locked.note = note
    locked.save(update_fields=["state", "checked_by", "checked_at", "note"])
    dispute = Dispute.objects.select_for_update().get(pk=locked.dispute_id)
    label = f"协议后 {locked.days_after} 天回访"
    if held:
        _event(
            dispute, DisputeEvent.Kind.CHECK_HELD, actor, f"{label}：协议履行" + (f"。{note}" if note else "")
        )
    else:
        _event(dispute, DisputeEvent.Kind.CHECK_BROKEN, actor, f"{label}：协议未履行。{note}")
        DisputeCheck.objects.filter(
            mediation_id=locked.mediation_id, state=DisputeCheck.State.PENDING
        ).update(state=DisputeCheck.State.CANCELLED)
        dispute.state = Dispute.State.OPEN
        dispute.resolved_at = None
        dispute.save(update_fields=["state", "resolved_at", "updated_at"])
        _event(dispute, DisputeEvent.Kind.REOPENED, actor, "协议未履行，纠纷重新进入待化解")
        recipients = {dispute.owner_id: dispute.owner}
        officer = community_officer_of(path=dispute.unit_path)
        if officer is not None:
            recipients.setdefault(officer.pk, officer)
        for user in recipients.values():
            if user.pk != actor.pk:
                notify(
                    recipient=user,
                    unit_path=dispute.unit_path,
                    text=f"{_headline(dispute)}的调解协议未履行，纠纷已重新打开，请再次化解。",
                )
    audit_record(
        actor=actor, action="dispute.check", obj=dispute, unit_path=dispute.unit_path,
        detail={"check": locked.pk, "held": held},
    )  # fmt: skip
    check.state, check.checked_by, check.checked_at, check.note = (
        locked.state, locked.checked_by, locked.checked_at, locked.note,
    )  # fmt: skip
    return locked


def dispute_checks_remind(*, today: datetime.date | None = None) -> int:
    """Remind each dispute's owner once that a check of its agreement is due (run by `linli tick`).

    Each check is claimed with a conditional update, so two ticks never remind twice.
    """
    today = today or timezone.localdate()
    due = DisputeCheck.objects.filter(
        state=DisputeCheck.State.PENDING, due_on__lte=today, reminded_on__isnull=True
    ).select_related("dispute", "dispute__owner")[:500]
    reminded = 0
    for check in due:
        with transaction.atomic():
            claimed = DisputeCheck.objects.filter(pk=check.pk, reminded_on__isnull=True).update(
                reminded_on=today
            )
            if claimed != 1:
                continue
            owner = check.dispute.owner
            if owner is not None:
                notify(
                    recipient=owner,
                    text=f"矛盾纠纷“{_headline(check.dispute)}”的调解协议已满{check.days_after}天，请回访协议履行情况。",
                    unit_path=check.unit_path,
                    phone=owner.phone,
                )
            reminded += 1
    return reminded
