"""Cadence rules (联系周期): how often a key person must be reached, and setting the rules."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from linli.accounts.models import Role, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.care.models import CadenceRule, Category, KeyPerson, RiskLevel
from linli.core.errors import ServiceError

DEFAULT_CADENCE_DAYS = 7


def cadence_days(*, categories: Iterable[str], risk_level: str) -> int:
    """The shortest interval among the rules that apply to these categories at this risk level."""
    wanted = {"", *categories}
    intervals = [
        rule.interval_days
        for rule in CadenceRule.objects.all()
        if rule.category in wanted and rule.risk_level in ("", risk_level)
    ]
    return min(intervals, default=DEFAULT_CADENCE_DAYS)


@transaction.atomic
def cadence_rule_set(
    *, actor: User | None, category: str, risk_level: str, interval_days: int
) -> CadenceRule:
    """Set a deployment-wide rule (district admins only) and recompute who it applies to.

    Due dates already set stay: a shorter cadence takes effect from each person's next contact.
    """
    if actor is not None and not scope_for(actor).has_role(Role.DISTRICT_ADMIN):
        raise ServiceError("只有区级管理员可以修改联系周期规则")
    if category and category not in Category.values:
        raise ServiceError("类别无效", field="category")
    if risk_level and risk_level not in RiskLevel.values:
        raise ServiceError("风险等级无效", field="risk_level")
    if not 1 <= interval_days <= 31:
        raise ServiceError("联系周期应在 1 至 31 天之间", field="interval_days")
    rule, _ = CadenceRule.objects.update_or_create(
        category=category, risk_level=risk_level, defaults={"interval_days": interval_days}
    )
    by_days: dict[int, list[int]] = {}
    people = KeyPerson.objects.filter(is_active=True).prefetch_related("categories")
    for key_person in people.iterator(chunk_size=2000):
        kinds = [c.category for c in key_person.categories.all()]
        days = cadence_days(categories=kinds, risk_level=key_person.risk_level)
        if days != key_person.cadence_days:
            by_days.setdefault(days, []).append(key_person.pk)
    for days, ids in by_days.items():
        KeyPerson.objects.filter(pk__in=ids).update(cadence_days=days)
    audit_record(
        actor=actor, action="cadence_rule.set", obj=rule, detail={"changed": sum(map(len, by_days.values()))}
    )
    return rule
