"""Materialised paths: subtree ranges are exact, and the database answers them from an index."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core import paths
from linli.org.models import Unit


def test_join_and_depth():
    assert paths.join("", "310120") == "310120"
    assert paths.join("310120.07", "0031") == "310120.07.0031"
    assert paths.depth("310120.07.0031.012") == 3
    assert paths.ancestors("310120.07.0031") == ["310120", "310120.07"]
    with pytest.raises(ValueError):
        paths.join("310120", "a.b")
    with pytest.raises(ValueError):
        paths.join("310120", "")


def test_is_within_does_not_confuse_prefixes():
    assert paths.is_within("310120.07.0031", "310120.07")
    assert paths.is_within("310120.07", "310120.07")
    assert not paths.is_within("310120.070", "310120.07")
    assert not paths.is_within("310120", "310120.07")


def test_collapse_drops_nested_roots():
    assert paths.collapse(["310120.01.001", "310120.01", "310120.02", "310120.01"]) == [
        "310120.01",
        "310120.02",
    ]


@pytest.mark.django_db
def test_subtree_range_matches_exactly_the_subtree():
    station = Unit.objects.get(code="310120.01")
    in_range = set(Unit.objects.filter(paths.subtree_q("path", station.path)).values_list("path", flat=True))
    by_python = {p for p in Unit.objects.values_list("path", flat=True) if paths.is_within(p, station.path)}
    assert in_range == by_python
    assert len(in_range) > 50
    # "310120.01" must not pull in "310120.010…" style siblings, nor the departments "310120.B…".
    assert all(p == "310120.01" or p.startswith("310120.01.") for p in in_range)
    strictly = Unit.objects.filter(paths.strict_subtree_q("path", station.path))
    assert strictly.count() == len(in_range) - 1


@pytest.mark.django_db
def test_subtree_query_is_one_index_range_scan():
    queryset = Unit.objects.filter(paths.subtree_q("path", "310120.01")).values("id")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
            assert "path>? AND path<?" in plan, plan
        else:
            # The table is small enough that the planner might prefer a sequential scan; forbid it
            # to prove that the range is answerable from the index (the "C" collation makes it so).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan, plan
            assert "Filter" not in plan, plan


@pytest.mark.django_db
def test_covering_range_holds_every_root_in_one_range_when_they_share_an_ancestor():
    communities = ["310120.01.001", "310120.01.002", "310120.09.001"]
    covered = set(Unit.objects.filter(paths.covering_q("path", communities)).values_list("path", flat=True))
    exact = set(Unit.objects.filter(paths.any_subtree_q("path", communities)).values_list("path", flat=True))
    assert exact < covered
    assert covered == set(
        Unit.objects.filter(paths.subtree_q("path", "310120")).values_list("path", flat=True)
    )
    # Roots of two districts share nothing: one range per root, exactly their subtrees.
    apart = ["310120.01.001", "150623.01.001"]
    assert set(Unit.objects.filter(paths.covering_q("path", apart)).values_list("path", flat=True)) == set(
        Unit.objects.filter(paths.any_subtree_q("path", apart)).values_list("path", flat=True)
    )
    assert not Unit.objects.filter(paths.covering_q("path", [])).exists()
