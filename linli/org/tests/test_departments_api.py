"""The /api/v1/departments endpoint, per persona."""

from __future__ import annotations

import pytest

from linli.conftest import JINGZHEN, ZHIAN

pytestmark = pytest.mark.django_db


def test_departments_with_liaison_stations(api_for):
    rows = api_for("admin").get("/api/v1/departments").json()
    by_name = {r["name"]: [s["name"] for s in r["liaison_stations"]] for r in rows}
    assert by_name["治安支队"] == ["南桥派出所", "江海派出所", "奉浦派出所", "西渡派出所", "金海派出所"]
    assert len(by_name["经侦支队"]) == 12
    assert by_name["法制支队"] == by_name["人口办"]
    assert by_name["指挥处"] == []
    assert len(rows) == 9


def test_departments_seen_from_a_grid_are_the_stations_liaisons(api_for):
    assert [r["code"] for r in api_for("grid-tq").get("/api/v1/departments").json()] == [JINGZHEN]
    assert [r["code"] for r in api_for("zhian").get("/api/v1/departments").json()] == [ZHIAN]
    assert api_for("angsu").get("/api/v1/departments").json() == []
