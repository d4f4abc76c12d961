"""Census sweeps (拍门/扫楼/敲门行动, C2): every household accounted for, coverage proven, not claimed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability, scope_for
from linli.audit.services.events import audit_record
from linli.care.models import Sweep, SweepHousehold
from linli.care.selectors.sweeps import sweep_coverage
from linli.core import paths
from linli.core.errors import ServiceError
from linli.core.limits import limited_text
from linli.org.models import Unit
from linli.registry.models import Address


@transaction.atomic
def sweep_start(*, actor: User, unit: Unit, kind: str, title: str, building_key: str = "") -> Sweep:
    """Open a sweep over every standard address of `unit` (or of one building in it)."""
    require_capability(actor, Capability.LOG_CONTACTS, unit.path)
    if unit.kind not in (Unit.Kind.GRID, Unit.Kind.COMMUNITY):
        raise ServiceError("排查范围应为社区/村或网格（扫楼请再选楼栋）", field="unit")
    if kind not in Sweep.Kind.values:
        raise ServiceError("排查类型无效", field="kind")
    title = limited_text(title, Sweep, "title")
    if not title:
        raise ServiceError("请填写行动名称", field="title")
    building_key = limited_text(building_key, Sweep, "building_key")
    addresses = Address.objects.filter(paths.subtree_q("unit_path", unit.path))
    if building_key:
        # A building's flats share the key up to the door number: "育秀路|100弄|12号|…".
        addresses = addresses.filter(key__startswith=building_key.rstrip("|") + "|")
    rows = list(addresses.values_list("id", "unit_path"))
    if not rows:
        raise ServiceError("该范围内没有登记的标准地址，无法排查", field="unit")
    sweep = Sweep.objects.create(
        kind=kind, title=title, unit=unit, unit_path=unit.path, building_key=building_key,
        started_by=actor,
    )  # fmt: skip
    SweepHousehold.objects.bulk_create(
        (SweepHousehold(sweep=sweep, address_id=address_id, unit_path=path) for address_id, path in rows),
        batch_size=2000,
    )
    audit_record(
        actor=actor, action="sweep.start", obj=sweep, unit_path=unit.path, detail={"households": len(rows)}
    )
    return sweep


@transaction.atomic
def sweep_mark(
    *, actor: User, household: SweepHousehold, outcome: str, note: str = "", new_key_persons: int = 0
) -> SweepHousehold:
    """Record what happened at a household; a later visit may change an absent or refused one."""
    require_capability(actor, Capability.LOG_CONTACTS, household.unit_path)
    if household.sweep.state != Sweep.State.OPEN:
        raise ServiceError("该排查行动已结束")
    if outcome not in SweepHousehold.Outcome.values or outcome == SweepHousehold.Outcome.PENDING:
        raise ServiceError("请选择走访结果", field="outcome")
    if not 0 <= new_key_persons <= 20:
        raise ServiceError("新发现重点人员数应在 0–20 之间", field="new_key_persons")
    household.outcome = outcome
    household.note = limited_text(note, SweepHousehold, "note")
    household.new_key_persons = new_key_persons
    household.visited_by = actor
    household.visited_at = timezone.now()
    household.save(update_fields=["outcome", "note", "new_key_persons", "visited_by", "visited_at"])
    return household


@transaction.atomic
def sweep_close(*, actor: User | None, sweep: Sweep, reason: str = "") -> Sweep:
    """Close a sweep. With households unaccounted for, only a supervisor may, and only with a reason."""
    require_capability(actor, Capability.LOG_CONTACTS, sweep.unit_path)
    reason = limited_text(reason, Sweep, "close_reason", name="reason")
    locked = Sweep.objects.select_for_update().get(pk=sweep.pk)
    if locked.state != Sweep.State.OPEN:
        raise ServiceError("该排查行动已结束")
    coverage = sweep_coverage(sweep=locked)
    if coverage.unaccounted:
        if actor is not None and not scope_for(actor).can(Capability.MANAGE_CARE, locked.unit_path):
            raise ServiceError(
                f"还有 {coverage.unaccounted} 户未走访，不能结束；如确需结束，请由负责人填写原因"
            )
        if not reason.strip():
            raise ServiceError(f"还有 {coverage.unaccounted} 户未走访，提前结束须填写原因", field="reason")
    locked.state = Sweep.State.CLOSED
    locked.closed_by = actor
    locked.closed_at = timezone.now()
    locked.close_reason = reason
    locked.save(update_fields=["state", "closed_by", "closed_at", "close_reason"])
    audit_record(
        actor=actor, action="sweep.close", obj=locked, unit_path=locked.unit_path, reason=reason,
        detail={"unaccounted": coverage.unaccounted, "households": coverage.total},
    )  # fmt: skip
    sweep.state, sweep.closed_at = locked.state, locked.closed_at
    return locked
