"""Recording consolation visits (走访慰问, C8)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.care.models import ConsolationVisit, KeyPerson
from linli.core.errors import ServiceError
from linli.core.limits import limited_text


@transaction.atomic
def consolation_visit_record(
    *,
    actor: User,
    key_person: KeyPerson,
    visited_on: datetime.date,
    occasion: str,
    fund: str,
    goods: str = "",
    amount: str | Decimal = "0",
) -> ConsolationVisit:
    """Record a consolation visit: what was given, how much, from which fund."""
    require_capability(actor, Capability.LOG_CONTACTS, key_person.unit_path)
    occasion = limited_text(occasion, ConsolationVisit, "occasion")
    goods = limited_text(goods, ConsolationVisit, "goods")
    fund = limited_text(fund, ConsolationVisit, "fund")
    if not occasion:
        raise ServiceError("请填写慰问事由，如 春节慰问", field="occasion")
    if not fund.strip():
        raise ServiceError("请填写资金来源", field="fund")
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ServiceError("慰问金应为金额，如 500 或 500.00", field="amount") from None
    if value < 0 or value > Decimal("100000"):
        raise ServiceError("慰问金应在 0–100000 元之间", field="amount")
    if not goods.strip() and value == 0:
        raise ServiceError("请填写慰问物品或慰问金", field="goods")
    if visited_on > timezone.localdate():
        raise ServiceError("慰问日期不能晚于今天", field="visited_on")
    visit = ConsolationVisit.objects.create(
        key_person=key_person,
        unit_path=key_person.unit_path,
        visited_on=visited_on,
        occasion=occasion,
        goods=goods,
        amount=value,
        fund=fund,
        visited_by=actor,
    )
    audit_record(actor=actor, action="consolation_visit.record", obj=visit, unit_path=key_person.unit_path)
    return visit
