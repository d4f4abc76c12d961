"""Scoped, masked and audited reads of residents."""

from __future__ import annotations

import pytest
from django.http import Http404

from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.registry.models import Resident
from linli.registry.selectors.residents import get_resident_for_user, resident_row, residents_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents():
    def make(name, path, id_number, phone):
        return Resident.objects.create(
            name=name, document_kind="id_card", id_number=id_number, phone=phone, phone_last4=phone[-4:],
            residence_type="registered", unit_path=path,
        )  # fmt: skip

    return {
        "a": make("张一", NQ_GRID, "310120199001011234", "13812345678"),
        "b": make("李二", NQ_GRID_2, "310120198502023456", "13987654321"),
        "c": make("王三", TQ_GRID, "310120197003034567", "13700001111"),
    }


def test_each_persona_sees_only_residents_in_scope(residents, persona):
    names = lambda u: set(residents_visible_to(user=persona(u)).values_list("name", flat=True))  # noqa: E731
    assert names("grid-nq") == {"张一"}
    assert names("officer-nq") == {"张一", "李二"}
    assert names("nanqiao") == {"张一", "李二"}
    assert names("admin") == {"张一", "李二", "王三"}
    assert names("zhian") == set()  # a department sees escalated work, not the population
    assert names("angsu") == set()


def test_rows_are_masked_on_the_server(residents):
    row = resident_row(residents["a"])
    assert row.id_number == "310120********1234"
    assert row.phone == "138****5678"


def test_detail_is_404_outside_scope_and_audited_inside(residents, persona):
    with pytest.raises(Http404):
        get_resident_for_user(persona("grid-tq"), residents["a"].pk)
    with pytest.raises(Http404):
        get_resident_for_user(persona("grid-nq"), 987654321)
    assert not AuditEvent.objects.filter(action="resident.view").exists()
    get_resident_for_user(persona("grid-nq"), residents["a"].pk, reason="走访")
    event = AuditEvent.objects.get(action="resident.view")
    assert (event.actor_username, event.object_id, event.unit_path) == (
        "grid-nq",
        str(residents["a"].pk),
        NQ_GRID,
    )
    assert "1234" not in str(event.detail)
