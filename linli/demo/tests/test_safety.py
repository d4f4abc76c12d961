"""The demo disputes and hazards: in the three persona grids, every state the pages show, idempotent."""

from __future__ import annotations

import pytest

from linli.care.models import Contact
from linli.conftest import NQ_GRID, TQ_GRID
from linli.demo.care import load_care_demo
from linli.demo.registry import load_registry_demo
from linli.demo.safety import PERSONA_GRIDS, load_safety_demo
from linli.safety.models import Dispute, DisputeCheck, Hazard
from linli.safety.selectors.disputes import dispute_checks_due, disputes_in
from linli.safety.selectors.hazards import hazards_in
from linli.safety.tests.conftest import days

pytestmark = pytest.mark.django_db


def test_the_demo_fills_each_persona_grid_and_a_second_run_adds_nothing(persona):
    assert load_safety_demo() == {"矛盾纠纷": 12, "隐患": 12}
    for path, username in PERSONA_GRIDS.items():
        user = persona(username)
        disputes = disputes_in(user=user)
        assert {d.unit_path for d in disputes} == {path}
        assert disputes.filter(state=Dispute.State.OPEN).count() == 2
        reopened = disputes.get(kind="family")
        assert list(reopened.checks.values_list("state", flat=True)) == ["broken", "cancelled"]
        assert list(reopened.events.order_by("at", "id").values_list("kind", flat=True))[-1] == "reopened"
        settled = disputes.get(resolved_on_spot=True)
        assert settled.owner == user
        assert list(settled.checks.values_list("state", flat=True)) == ["held", "held"]
        # The agreement of seven days ago: its check is due today, for the community officer.
        [due] = dispute_checks_due(user=user, on=days(0))
        assert (due.days_after, due.due_on, due.state) == (7, days(0), DisputeCheck.State.PENDING)
        assert due.dispute.owner != user
        assert due in dispute_checks_due(user=due.dispute.owner, on=days(0), mine=True)
        assert hazards_in(user=user, on=days(0), state="open").count() == 2
        assert hazards_in(user=user, on=days(0), state="overdue").count() == 1
        assert hazards_in(user=user, on=days(0), state="cleared").count() == 2
        # Names and phones are synthetic, and every dispute's events tell its story in order.
        for dispute in disputes:
            assert dispute.parties.count() == 2
            times = list(dispute.events.order_by("id").values_list("at", flat=True))
            assert times == sorted(times)
    assert load_safety_demo() == {}
    assert Dispute.objects.count() == 12
    assert Hazard.objects.count() == 12


def test_with_the_care_demo_a_contact_that_found_a_hazard_opens_one():
    for under in (NQ_GRID, TQ_GRID):
        load_registry_demo(under=under)
    load_care_demo()
    load_safety_demo()
    with_hazards = Contact.objects.exclude(hazards_found="").values_list("key_person__unit_path", flat=True)
    for path in set(with_hazards) & set(PERSONA_GRIDS):
        hazard = Hazard.objects.get(unit_path=path, contact__isnull=False)
        assert (hazard.kind, hazard.source) == ("other", "contact")
    before = Hazard.objects.count()
    load_safety_demo()
    assert Hazard.objects.count() == before
