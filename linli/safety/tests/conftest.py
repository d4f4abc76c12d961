"""Rows the dispute and hazard tests share, made through the services as the personas would.

- `noise`: a neighbour dispute in grid-nq's grid, logged by grid-nq, not settled on the spot, so it is
  officer-nq's now (parties 张甲 13812345678 and 李乙 13900001234).
- `agreed`: a dispute in the same grid with an agreement made 7 days ago: its 7-day check is due today.
- `tq_dispute`: a dispute in grid-tq's grid (头桥), the outsider's.
- `hazards`: in grid-nq's grid an open one (deadline in 5 days), an overdue one, a cleared one; in 头桥 one.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import CategoryInput, key_person_enrol
from linli.conftest import NQ_GRID, TQ_GRID
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Resident
from linli.safety.models import Dispute, Hazard
from linli.safety.services.disputes import PartyInput, dispute_log, dispute_mediate
from linli.safety.services.hazards import hazard_recheck, hazard_record

PARTY_PHONE = "13812345678"
OTHER_PHONE = "13900001234"


def days(n: int) -> datetime.date:
    """Today (Asia/Shanghai) plus n days."""
    return timezone.localdate() + datetime.timedelta(days=n)


def unit(path: str) -> Unit:
    return Unit.objects.select_related("parent").get(path=path)


def log_dispute(persona: Any, username: str, path: str, summary: str, **kwargs: Any) -> Dispute:
    values: dict[str, Any] = {
        "kind": "neighbour",
        "occurred_on": days(-1),
        "parties": [PartyInput("张甲", PARTY_PHONE), PartyInput("李乙", OTHER_PHONE)],
        **kwargs,
    }
    return dispute_log(actor=persona(username), unit=unit(path), summary=summary, **values)


def make_hazard(persona: Any, username: str, path: str, description: str, **kwargs: Any) -> Hazard:
    values: dict[str, Any] = {
        "kind": "gas",
        "risk_level": "medium",
        "source": "check",
        "responsible_party": "王丙（住户）",
        "deadline": days(5),
        **kwargs,
    }
    return hazard_record(actor=persona(username), unit=unit(path), description=description, **values)


@pytest.fixture
def noise(persona: Any) -> Dispute:
    return log_dispute(persona, "grid-nq", NQ_GRID, "楼上夜间噪音扰民", place="12号楼")


@pytest.fixture
def agreed(persona: Any) -> Dispute:
    dispute = log_dispute(
        persona, "grid-nq", NQ_GRID, "停车位占用纠纷", kind="property", occurred_on=days(-9)
    )
    dispute_mediate(
        actor=persona("officer-nq"), dispute=dispute, outcome="双方面对面调解", agreed=True,
        agreement_text="各自停回自家车位", agreement_on=days(-7), agreement_parties="张甲、李乙",
    )  # fmt: skip
    return dispute


@pytest.fixture
def tq_dispute(persona: Any) -> Dispute:
    return log_dispute(persona, "grid-tq", TQ_GRID, "头桥宅基地边界纠纷", kind="other")


def move_deadline(hazard: Hazard, deadline: datetime.date, found_on: datetime.date | None = None) -> Hazard:
    """The service refuses past deadlines; tests move them back as time would."""
    Hazard.objects.filter(pk=hazard.pk).update(deadline=deadline, found_on=found_on or hazard.found_on)
    hazard.refresh_from_db()
    return hazard


@pytest.fixture
def hazards(persona: Any) -> dict[str, Hazard]:
    open_one = make_hazard(persona, "grid-nq", NQ_GRID, "试燃气软管老化", risk_level="high")
    overdue = make_hazard(persona, "grid-nq", NQ_GRID, "试楼道电动车充电", kind="fire")
    move_deadline(overdue, days(-3), days(-10))
    cleared = make_hazard(persona, "grid-nq", NQ_GRID, "试电线私拉乱接", kind="power")
    hazard_recheck(actor=persona("grid-nq"), hazard=cleared, cleared=True, note="已整改")
    outsider = make_hazard(persona, "grid-tq", TQ_GRID, "试头桥消防通道堵塞", kind="fire")
    return {"open": open_one, "overdue": overdue, "cleared": cleared, "tq": outsider}


def key_person_with_contact(persona: Any, hazards_found: str = "燃气灶软管老化", n: int = 1) -> Any:
    """A high-risk key person in grid-nq's grid (试赵老, or 试赵老2 …) and grid-nq's contact that found
    a hazard."""
    resident = Resident.objects.create(
        name="试赵老" if n == 1 else f"试赵老{n}", document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1941, 2, 3), 9 + 2 * n, "M"),
        residence_type="registered", unit_path=NQ_GRID, reported_address="育秀路100弄12号101室",
    )  # fmt: skip
    key_person = key_person_enrol(
        actor=persona("nanqiao"), resident=resident, categories=[CategoryInput("living_alone")],
        risk_level="high", responsible=persona("grid-nq"),
    )  # fmt: skip
    return contact_log(
        actor=persona("grid-nq"), key_person=key_person, occurred_at=timezone.now(), kind="visit",
        hazards_found=hazards_found,
    )  # fmt: skip
