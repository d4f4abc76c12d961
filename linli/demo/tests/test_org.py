"""The demo tree against seed 000, its second shape (Angsu), and idempotence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from linli.accounts.models import Membership, User
from linli.audit.models import AuditEvent
from linli.demo.org import load_org_demo
from linli.org.models import Liaison, SupportPoint, Unit

pytestmark = pytest.mark.django_db

# The sentence of seed 000 (Fengxian sub-bureau, 2022-04-14) that gives the liaison map, verbatim.
SEED_SENTENCE = (
    "其中治安支队负责联系南桥、江海、奉浦、西渡、金海派出所，"
    "经侦支队负责联系奉城、洪庙、塘外、头桥、四团、平安、海港、星火、五四、青村、钱桥、光明派出所，"
    "法制支队、人口办负责联系庄行、邬桥、柘林、新寺、胡桥、临海、海湾、金汇、泰日、齐贤派出所。"
)
SEED_FILE = Path(settings.BASE_DIR).parent.parent / "shared" / "seeds" / "000_31304a615b3d4c37.txt"


def _liaison_from_sentence(sentence: str) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for departments, stations in re.findall(
        r"([\u4e00-\u9fff、]+?)负责联系([\u4e00-\u9fff、]+?)派出所", sentence
    ):
        for department in departments.removeprefix("其中").split("、"):
            mapping[department] = stations.split("、")
    return mapping


def test_the_quoted_sentence_is_the_seeds():
    if not SEED_FILE.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert SEED_SENTENCE in SEED_FILE.read_text(encoding="utf-8")


def test_liaison_map_is_exactly_the_seeds():
    expected = _liaison_from_sentence(SEED_SENTENCE)
    assert set(expected) == {"治安支队", "经侦支队", "法制支队", "人口办"}
    actual: dict[str, list[str]] = {}
    for link in Liaison.objects.select_related("department", "station").order_by(
        "department__sort_order", "station__sort_order"
    ):
        actual.setdefault(link.department.name, []).append(link.station.short_name)
    assert actual == expected


def test_fengxian_has_27_stations_each_with_communities_and_grids():
    stations = Unit.objects.filter(parent__code="310120", kind="station")
    assert stations.count() == 27
    assert {s.name for s in stations} == {
        f"{n}派出所" for names in _liaison_from_sentence(SEED_SENTENCE).values() for n in names
    }
    communities = Unit.objects.filter(path__startswith="310120.", kind="community").count()
    assert 250 <= communities <= 350
    for station in stations:
        assert station.children.count() >= 5
    assert not Unit.objects.filter(kind="community", children__isnull=True).exists()
    departments = set(Unit.objects.filter(kind="department").values_list("name", flat=True))
    assert departments == {
        "治安支队",
        "经侦支队",
        "法制支队",
        "人口办",
        "指挥处",
        "政治处",
        "刑侦支队",
        "交警支队",
        "网安支队",
    }


def test_every_community_and_grid_has_a_responsible_person_holding_a_role_there():
    assert not Unit.objects.filter(kind__in=["community", "grid"], responsible__isnull=True).exists()
    community = Unit.objects.get(code="310120.01.001")
    assert Membership.objects.filter(
        user=community.responsible, unit=community, role="community_officer"
    ).exists()


def test_angsu_is_the_second_shape():
    town = Unit.objects.select_related("scheme").get(code="150623.01")
    assert town.scheme.labels() == ["旗", "镇", "嘎查·社区", "网格"]
    assert town.level_label == "镇"
    names = list(town.children.values_list("name", flat=True))
    assert any(n.endswith("嘎查") for n in names)
    assert any(n.endswith("社区") for n in names)
    assert Unit.objects.get(code="310120.01").level_label == "派出所"


def test_support_points_of_each_kind_exist():
    kinds = set(SupportPoint.objects.values_list("kind", flat=True))
    assert kinds == {"police_post", "police_office", "safety_house", "party_centre", "merchant_alliance"}


def test_loading_twice_changes_nothing():
    counts_before = (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        SupportPoint.objects.count(),
    )
    events_before = AuditEvent.objects.count()
    result = load_org_demo(password="linli-demo-2026")
    assert not result.changed
    assert (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        SupportPoint.objects.count(),
    ) == counts_before
    assert AuditEvent.objects.count() == events_before


def test_the_demo_command_prints_the_logins(capsys, monkeypatch):
    # The population part is tested in linli/demo/tests/test_registry.py; here, one station of it.
    from linli.demo.management.commands import demo
    from linli.demo.registry import load_registry_demo

    monkeypatch.setattr(demo, "load_registry_demo", lambda **kw: load_registry_demo(under="310120.27", **kw))
    call_command("demo")
    out = capsys.readouterr().out
    assert "演示账号" in out
    assert "人口与房屋：地址" in out
    for username in [
        "admin",
        "nanqiao",
        "touqiao",
        "zhian",
        "jingzhen",
        "officer-nq",
        "grid-nq",
        "grid-tq",
        "angsu",
        "grid-as",
    ]:
        assert username in out
