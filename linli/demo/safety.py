"""Demo disputes and hazards in the grids of the persona grid workers (grid-nq, grid-tq, grid-as).

Each grid gets four disputes (one waiting for mediation with the community officer, one with an agreement
whose 7-day check is due today, one settled on the spot a month ago and checked twice, one whose agreement
broke at the 7-day check) and four hazards (open, overdue, cleared at the first re-check, cleared at the
second), plus one for the latest contact in the grid that found a hazard, when the care demo is loaded.
Rows are written through the services, so they have the shape real ones have; their dates are then moved
back to when the story happened. Rows are keyed by grid and summary or description: a second run adds
nothing. Names and phones are synthetic.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.care.models import Contact
from linli.demo.org import person_name, phone_number
from linli.org.models import Unit
from linli.safety.models import Dispute, DisputeCheck, DisputeEvent, Hazard
from linli.safety.services.disputes import PartyInput, dispute_check_record, dispute_log, dispute_mediate
from linli.safety.services.hazards import hazard_open_from_contact, hazard_recheck, hazard_record

PERSONA_GRIDS = {
    "310120.01.001.01": "grid-nq",
    "310120.09.001.01": "grid-tq",
    "150623.01.001.01": "grid-as",
}


@dataclass(frozen=True)
class _DisputePlan:
    kind: str
    summary: str
    place: str
    days_ago: int
    # Days ago the agreement was reached (None: not yet); on the spot when equal to days_ago.
    agreed_days_ago: int | None = None
    agreement: str = ""
    checks_held: int = 0
    # The next check after the held ones found the agreement broken: the dispute is open again.
    broken: str = ""


@dataclass(frozen=True)
class _HazardPlan:
    kind: str
    risk: str
    source: str
    description: str
    place: str
    party: str
    found_days_ago: int
    deadline_days: int  # after it was found
    # Days ago of each re-check: the last one finds it cleared, the others do not.
    rechecks: tuple[int, ...] = ()


_DISPUTES = (
    _DisputePlan(
        Dispute.Kind.TENANCY, "租户退租时押金退还发生争执，双方各执一词", "出租屋门口", 2,
    ),
    _DisputePlan(
        Dispute.Kind.NEIGHBOUR, "楼上住户夜间噪音影响楼下休息，双方多次争吵", "12号楼3单元", 10,
        agreed_days_ago=7, agreement="楼上住户晚十点后不再使用跑步机，地面铺设隔音垫",
    ),
    _DisputePlan(
        Dispute.Kind.PROPERTY, "业主装修垃圾堆放公共区域，与物业发生口角", "小区北门垃圾房", 40,
        agreed_days_ago=40, agreement="业主三日内清运装修垃圾，物业协助联系清运车辆", checks_held=2,
    ),
    _DisputePlan(
        Dispute.Kind.FAMILY, "兄弟二人因老人赡养费分摊发生争吵", "7号楼502室", 20,
        agreed_days_ago=18, agreement="兄弟二人每月各承担赡养费一千元，按月5日前交给老人",
        broken="弟弟本月未按约定交付赡养费，双方再起争执",
    ),
)  # fmt: skip

_HAZARDS = (
    _HazardPlan(
        Hazard.Kind.GAS, "high", Hazard.Source.CHECK, "燃气灶软管老化开裂，有漏气风险", "8号楼202室",
        "住户", 3, 7,
    ),
    _HazardPlan(
        Hazard.Kind.FIRE, "medium", Hazard.Source.SWEEP, "楼道内停放电动自行车并飞线充电", "5号楼一单元楼道",
        "物业", 20, 15,
    ),
    _HazardPlan(
        Hazard.Kind.POWER, "medium", Hazard.Source.REPORT, "沿街商铺电线私拉乱接", "沿街商铺后门",
        "商户", 15, 7, rechecks=(8,),
    ),
    _HazardPlan(
        Hazard.Kind.WATER, "low", Hazard.Source.CHECK, "地下室水管渗漏，地面积水湿滑", "3号楼地下室",
        "物业", 25, 5, rechecks=(19, 12),
    ),
)  # fmt: skip

_ZONE = timezone.get_default_timezone()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=_ZONE)


def load_safety_demo() -> dict[str, int]:
    """Add what is missing of the demo disputes and hazards in the persona grids."""
    totals = {"矛盾纠纷": 0, "隐患": 0}
    for path, username in PERSONA_GRIDS.items():
        grid = Unit.objects.select_related("parent").filter(path=path, is_active=True).first()
        worker = User.objects.filter(username=username, is_active=True).first()
        if grid is None or worker is None:
            continue
        disputes, hazards = _load_grid(grid, worker)
        totals["矛盾纠纷"] += disputes
        totals["隐患"] += hazards
    return {k: v for k, v in totals.items() if v}


@transaction.atomic
def _load_grid(grid: Unit, worker: User) -> tuple[int, int]:
    rng = random.Random(f"safety-{grid.path}")
    today = timezone.localdate()
    have = set(Dispute.objects.filter(unit_path=grid.path).values_list("summary", flat=True))
    disputes = 0
    for plan in _DISPUTES:
        parties = [PartyInput(person_name(rng), phone_number(rng)) for _ in range(2)]
        if plan.summary in have:
            continue
        _dispute(grid, worker, plan, parties, today)
        disputes += 1
    have = set(Hazard.objects.filter(unit_path=grid.path).values_list("description", flat=True))
    hazards = 0
    for hazard_plan in _HAZARDS:
        party = _party(hazard_plan.party, rng)
        if hazard_plan.description in have:
            continue
        _hazard(grid, worker, hazard_plan, party, today)
        hazards += 1
    if not Hazard.objects.filter(unit_path=grid.path, contact__isnull=False).exists():
        contact = (
            Contact.objects.filter(key_person__unit_path=grid.path)
            .exclude(hazards_found="")
            .select_related("key_person__resident__address")
            .order_by("-occurred_at")
            .first()
        )
        if contact is not None:
            hazard_open_from_contact(actor=worker, contact=contact)
            hazards += 1
    return disputes, hazards


def _party(kind: str, rng: random.Random) -> str:
    name = person_name(rng)
    if kind == "住户":
        return f"{name}（住户）"
    if kind == "商户":
        return f"{name[0]}记小吃店"
    return "安居物业服务有限公司"


def _dispute(
    grid: Unit, worker: User, plan: _DisputePlan, parties: list[PartyInput], today: datetime.date
) -> None:
    occurred = today - datetime.timedelta(days=plan.days_ago)
    on_the_spot = plan.agreed_days_ago == plan.days_ago
    dispute = dispute_log(
        actor=worker, unit=grid, kind=plan.kind, summary=plan.summary, place=plan.place,
        occurred_on=occurred, parties=parties, resolved_on_spot=on_the_spot,
        outcome=plan.agreement if on_the_spot else "",
    )  # fmt: skip
    logged_at = _at(occurred, 10, 20)
    agreed_at = logged_at
    Dispute.objects.filter(pk=dispute.pk).update(created_at=logged_at)
    dispute.events.filter(kind__in=[DisputeEvent.Kind.LOGGED, DisputeEvent.Kind.TRANSFERRED]).update(
        at=logged_at
    )
    if plan.agreed_days_ago is not None and not on_the_spot:
        agreed_on = today - datetime.timedelta(days=plan.agreed_days_ago)
        agreed_at = _at(agreed_on, 15)
        dispute_mediate(
            actor=dispute.owner, dispute=dispute, outcome="社区民警会同网格员组织双方面对面调解",
            agreed=True, agreement_text=plan.agreement, agreement_on=agreed_on,
            agreement_parties="、".join(p.name for p in parties),
        )  # fmt: skip
    if plan.agreed_days_ago is not None:
        Dispute.objects.filter(pk=dispute.pk).update(resolved_at=agreed_at)
        dispute.events.filter(kind=DisputeEvent.Kind.AGREED).update(at=agreed_at)
    checks = list(dispute.checks.order_by("due_on"))
    for check in checks[: plan.checks_held]:
        dispute_check_record(actor=dispute.owner, check=check, held=True, note="回访双方，协议已履行")
        checked_at = _at(check.due_on, 10)
        DisputeCheck.objects.filter(pk=check.pk).update(checked_at=checked_at)
        held = dispute.events.filter(kind=DisputeEvent.Kind.CHECK_HELD)
        held.filter(text__startswith=f"协议后 {check.days_after} 天").update(at=checked_at)
    if plan.broken:
        check = checks[plan.checks_held]
        dispute_check_record(actor=dispute.owner, check=check, held=False, note=plan.broken)
        checked_at = _at(check.due_on, 16)
        DisputeCheck.objects.filter(pk=check.pk).update(checked_at=checked_at)
        broken = [DisputeEvent.Kind.CHECK_BROKEN, DisputeEvent.Kind.REOPENED]
        dispute.events.filter(kind__in=broken).update(at=checked_at)


def _hazard(grid: Unit, worker: User, plan: _HazardPlan, party: str, today: datetime.date) -> None:
    found = today - datetime.timedelta(days=plan.found_days_ago)
    hazard = hazard_record(
        actor=worker, unit=grid, kind=plan.kind, risk_level=plan.risk, source=plan.source,
        description=plan.description, place=plan.place, responsible_party=party, found_on=found,
        deadline=max(today, found + datetime.timedelta(days=plan.deadline_days)),
    )  # fmt: skip
    # The service refuses a deadline in the past; the demo's story began before today.
    Hazard.objects.filter(pk=hazard.pk).update(
        deadline=found + datetime.timedelta(days=plan.deadline_days), created_at=_at(found, 11)
    )
    hazard.refresh_from_db()
    for i, days_ago in enumerate(plan.rechecks):
        last = i == len(plan.rechecks) - 1
        hazard_recheck(
            actor=worker, hazard=hazard, cleared=last,
            note="已整改到位，现场复查确认" if last else "责任方已购买材料，尚未完成整改",
            checked_at=_at(today - datetime.timedelta(days=days_ago), 14, 30),
        )  # fmt: skip
