"""Census sweeps (C2): every household accounted for before a sweep closes."""

from __future__ import annotations

import pytest
from django.http import Http404

from linli.care.models import Sweep
from linli.care.selectors.sweeps import get_sweep_for_user, sweep_coverage, sweep_unvisited
from linli.care.services.sweeps import sweep_close, sweep_mark, sweep_start
from linli.conftest import NQ_GRID, NQ_GRID_2
from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.registry.services.addresses import address_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def flats():
    grid = Unit.objects.get(code=NQ_GRID)
    texts = ["育秀路100弄12号101室", "育秀路100弄12号102室", "育秀路100弄12号201室", "育秀路100弄14号101室"]
    return [address_register(actor=None, grid=grid, text=t) for t in texts]


def test_a_building_sweep_covers_exactly_its_flats(flats, persona):
    sweep = sweep_start(
        actor=persona("grid-nq"), unit=Unit.objects.get(code=NQ_GRID), kind="building", title="12号楼扫楼",
        building_key="育秀路|100弄|12号",
    )  # fmt: skip
    assert sweep_coverage(sweep=sweep).total == 3
    whole_grid = sweep_start(
        actor=persona("grid-nq"), unit=Unit.objects.get(code=NQ_GRID), kind="knock", title="拍门"
    )
    assert sweep_coverage(sweep=whole_grid).total == 4


def test_coverage_shows_who_is_left_and_closing_needs_everyone(flats, persona):
    worker = persona("grid-nq")
    sweep = sweep_start(
        actor=worker, unit=Unit.objects.get(code=NQ_GRID), kind="door_knock", title="敲门行动"
    )
    households = list(sweep.households.order_by("address__key"))
    sweep_mark(
        actor=worker, household=households[0], outcome="visited", new_key_persons=1, note="独居老人一名"
    )
    sweep_mark(actor=worker, household=households[1], outcome="absent")
    sweep_mark(actor=worker, household=households[2], outcome="vacant")
    coverage = sweep_coverage(sweep=sweep)
    assert (coverage.total, coverage.unaccounted) == (4, 1)
    assert coverage.by_outcome["visited"] == 1
    assert [h.address.full_text for h in sweep_unvisited(sweep=sweep)] == ["育秀路100弄14号101室"]
    with pytest.raises(ServiceError, match="1 户未走访"):
        sweep_close(actor=worker, sweep=sweep)
    with pytest.raises(ServiceError, match="填写原因"):
        sweep_close(actor=persona("officer-nq"), sweep=sweep)
    sweep_close(actor=persona("officer-nq"), sweep=sweep, reason="该户长期外出，另行电话联系")
    sweep.refresh_from_db()
    assert sweep.state == Sweep.State.CLOSED
    with pytest.raises(ServiceError, match="已结束"):
        sweep_mark(actor=worker, household=households[3], outcome="visited")


def test_a_complete_sweep_closes_without_a_reason(flats, persona):
    worker = persona("grid-nq")
    sweep = sweep_start(actor=worker, unit=Unit.objects.get(code=NQ_GRID), kind="knock", title="拍门")
    for household in sweep.households.all():
        sweep_mark(actor=worker, household=household, outcome="refused")
    assert sweep_close(actor=worker, sweep=sweep).state == Sweep.State.CLOSED


def test_scope_and_bad_input(flats, persona):
    grid = Unit.objects.get(code=NQ_GRID)
    with pytest.raises(ServiceError, match="权限"):
        sweep_start(actor=persona("grid-tq"), unit=grid, kind="knock", title="越权")
    with pytest.raises(ServiceError, match="没有登记的标准地址"):
        sweep_start(
            actor=persona("nanqiao"), unit=Unit.objects.get(code=NQ_GRID_2), kind="knock", title="空网格"
        )
    with pytest.raises(ServiceError, match="社区/村或网格"):
        sweep_start(
            actor=persona("nanqiao"), unit=Unit.objects.get(code="310120.01"), kind="knock", title="整所"
        )
    sweep = sweep_start(actor=persona("grid-nq"), unit=grid, kind="knock", title="拍门")
    with pytest.raises(ServiceError, match="走访结果"):
        sweep_mark(actor=persona("grid-nq"), household=sweep.households.all()[0], outcome="pending")
    with pytest.raises(Http404):
        get_sweep_for_user(persona("grid-tq"), sweep.pk)
    assert get_sweep_for_user(persona("nanqiao"), sweep.pk) == sweep


def test_too_long_text_is_refused_not_truncated(flats, persona):
    worker = persona("grid-nq")
    grid = Unit.objects.get(code=NQ_GRID)
    with pytest.raises(ServiceError, match="最多 100 字"):
        sweep_start(actor=worker, unit=grid, kind="knock", title="长" * 101)
    sweep = sweep_start(actor=worker, unit=grid, kind="knock", title=" 拍门 ")
    assert sweep.title == "拍门"
    household = sweep.households.first()
    assert household is not None
    with pytest.raises(ServiceError, match="最多 300 字") as refused:
        sweep_mark(actor=worker, household=household, outcome="visited", note="长" * 301)
    assert refused.value.field == "note"
    with pytest.raises(ServiceError, match="最多 300 字") as refused:
        sweep_close(actor=persona("squad-nq"), sweep=sweep, reason="长" * 301)
    assert refused.value.field == "reason"
