"""The scope rule, persona by persona."""

from __future__ import annotations

import pytest

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.conftest import (
    ANGSU_TOWN,
    JINGZHEN,
    NQ_COMMUNITY,
    NQ_GRID,
    NQ_GRID_2,
    TOUQIAO,
    TQ_GRID,
    ZHIAN,
)
from linli.org.models import Unit
from linli.org.selectors.units import units_visible_to

pytestmark = pytest.mark.django_db


def test_grid_worker_covers_only_their_grid(persona):
    scope = scope_for(persona("grid-nq"))
    assert scope.full_roots == [NQ_GRID]
    assert scope.covers(NQ_GRID)
    assert not scope.covers(NQ_GRID_2)
    assert not scope.covers(NQ_COMMUNITY)
    assert not scope.can(Capability.MANAGE_UNITS, NQ_GRID)


def test_station_office_covers_and_manages_its_subtree(persona):
    scope = scope_for(persona("nanqiao"))
    assert scope.covers(NQ_GRID)
    assert scope.can(Capability.MANAGE_UNITS, NQ_GRID)
    assert not scope.covers(TOUQIAO)
    assert not scope.covers("310120.010")  # a sibling whose code merely starts the same way


def test_department_sees_liaison_structure_but_covers_no_residents(persona):
    scope = scope_for(persona("zhian"))
    assert scope.full_roots == []
    assert scope.department_paths == [ZHIAN]
    assert scope.liaison_station_paths == ("310120.01", "310120.02", "310120.03", "310120.04", "310120.05")
    assert scope.sees_unit(NQ_GRID)
    assert not scope.covers(NQ_GRID)
    assert not scope.sees_unit(TOUQIAO)
    assert TOUQIAO in scope_for(persona("jingzhen")).liaison_station_paths


def test_auditor_reads_everything_and_changes_nothing(persona):
    scope = scope_for(persona("auditor"))
    assert scope.covers(TQ_GRID)
    assert scope.can(Capability.VIEW_AUDIT, TQ_GRID)
    assert not scope.can(Capability.MANAGE_UNITS, TQ_GRID)
    assert not scope.covers(ANGSU_TOWN)


def test_units_visible_is_one_query_per_scope(persona, django_assert_num_queries):
    user = persona("officer-nq")
    scope_for(user)
    with django_assert_num_queries(1):
        codes = set(units_visible_to(user=user).values_list("code", flat=True))
    expected = set(
        Unit.objects.filter(path__startswith="310120.01.001").values_list("code", flat=True)
    ) | set(Unit.objects.filter(path__startswith="310120.01.002").values_list("code", flat=True))
    assert codes == expected


def test_departments_and_inactive_users_have_empty_scope(persona):
    user = persona("jingzhen")
    assert JINGZHEN in scope_for(user).department_paths
    user.is_active = False
    assert scope_for(user).is_empty
