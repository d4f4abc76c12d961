"""Unit services called directly: who may change what, and what is refused."""

from __future__ import annotations

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NQ_COMMUNITY, NQ_GRID, NQ_GRID_2
from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.org.services.units import unit_assign_responsible, unit_create

pytestmark = pytest.mark.django_db


def test_station_names_a_grid_leader_from_the_grids_members(persona):
    grid = Unit.objects.get(code=NQ_GRID)
    worker = persona("squad-nq")
    unit_assign_responsible(actor=persona("nanqiao"), unit=grid, user=worker, reason="轮岗")
    grid.refresh_from_db()
    assert grid.responsible == worker
    event = AuditEvent.objects.filter(action="unit.assign_responsible").latest("id")
    assert (event.actor_username, event.reason, event.unit_path) == ("nanqiao", "轮岗", NQ_GRID)


def test_responsible_person_must_work_there(persona):
    with pytest.raises(ServiceError, match="须在该单位任职"):
        unit_assign_responsible(
            actor=persona("nanqiao"), unit=Unit.objects.get(code=NQ_GRID_2), user=persona("grid-tq")
        )


def test_grid_workers_cannot_name_responsible_people(persona):
    with pytest.raises(ServiceError, match="权限"):
        unit_assign_responsible(
            actor=persona("grid-nq"), unit=Unit.objects.get(code=NQ_GRID), user=persona("grid-nq")
        )


def test_unit_create_builds_the_path_and_refuses_bad_codes(persona):
    community = Unit.objects.get(code=NQ_COMMUNITY)
    grid = unit_create(actor=persona("officer-nq"), parent=community, segment="99", name="第九十九网格")
    assert (grid.path, grid.kind, grid.depth, grid.level_label) == (f"{NQ_COMMUNITY}.99", "grid", 3, "网格")
    with pytest.raises(ServiceError, match="已存在"):
        unit_create(actor=persona("officer-nq"), parent=community, segment="99", name="重复")
    with pytest.raises(ServiceError, match="字母和数字"):
        unit_create(actor=persona("officer-nq"), parent=community, segment="9.9", name="坏编码")
    with pytest.raises(ServiceError, match="不能再设下级"):
        unit_create(actor=None, parent=grid, segment="01", name="网格下的网格")
    with pytest.raises(ServiceError, match="权限"):
        unit_create(actor=persona("grid-nq"), parent=community, segment="98", name="越权")
