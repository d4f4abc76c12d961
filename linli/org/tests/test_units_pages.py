"""Unit pages over HTTP, for each persona: allowed, read-only 403, out of scope 404."""

from __future__ import annotations

import pytest

from linli.conftest import (
    ANGSU_TOWN,
    NANQIAO,
    NQ_COMMUNITY,
    NQ_COMMUNITY_3,
    NQ_GRID,
    TOUQIAO,
    TQ_GRID,
    ZHIAN,
)
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_pages_require_login(client):
    for url in ["/", "/units/", f"/units/{NANQIAO}/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("admin", TOUQIAO),
        ("auditor", NQ_GRID),
        ("nanqiao", NQ_GRID),
        ("officer-nq", NQ_COMMUNITY),
        ("grid-nq", NQ_GRID),
        ("zhian", NANQIAO),  # a liaison station's structure
        ("zhian", ZHIAN),
        ("jingzhen", TOUQIAO),
        ("angsu", ANGSU_TOWN),
    ],
)
def test_unit_page_is_shown_inside_scope(client_for, username, code):
    response = client_for(username).get(f"/units/{code}/")
    assert response.status_code == 200
    assert Unit.objects.get(code=code).name in response.content.decode()


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("grid-nq", NQ_COMMUNITY),  # the parent of their own grid
        ("grid-nq", TQ_GRID),
        ("grid-tq", NQ_GRID),
        ("touqiao", NANQIAO),
        ("officer-nq", NQ_COMMUNITY_3),
        ("zhian", TOUQIAO),  # 头桥 is 经侦支队's, not 治安支队's
        ("jingzhen", NANQIAO),
        ("jingzhen", ZHIAN),
        ("angsu", NANQIAO),
        ("nanqiao", ANGSU_TOWN),
        ("admin", ANGSU_TOWN),  # another district
        ("admin", "999999"),  # does not exist: the same answer
    ],
)
def test_unit_page_outside_scope_is_404(client_for, username, code):
    response = client_for(username).get(f"/units/{code}/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_grid_worker_sees_only_their_grid_in_the_tree(client_for):
    body = client_for("grid-nq").get("/units/").content.decode()
    assert "第一网格" in body
    assert "南桥派出所" not in body
    assert "头桥" not in body


def test_station_tree_lists_communities_with_counts(client_for):
    body = client_for("nanqiao").get("/units/").content.decode()
    station = Unit.objects.get(code=NANQIAO)
    communities = Unit.objects.filter(parent=station).count()
    assert "南桥派出所" in body
    assert f"{communities} 个居村委" in body


def test_tree_children_fragment_is_scoped(client_for):
    client = client_for("nanqiao")
    fragment = client.get(f"/units/{NQ_COMMUNITY}/children/").content.decode()
    assert "第一网格" in fragment
    assert client.get(f"/units/{TOUQIAO}/children/").status_code == 404


def test_district_admin_sees_departments_and_liaison(client_for):
    body = client_for("admin").get("/units/").content.decode()
    assert "治安支队" in body
    assert "联系：南桥、江海、奉浦、西渡、金海" in body


def test_unit_page_shows_support_points_and_responsible(client_for):
    community = Unit.objects.select_related("responsible").get(code=NQ_COMMUNITY)
    body = client_for("nanqiao").get(f"/units/{NQ_COMMUNITY}/").content.decode()
    assert "社区民警" in body
    assert str(community.responsible) in body
    assert f"{community.name}警务室" in body


def test_station_page_names_its_liaison_department(client_for):
    body = client_for("touqiao").get(f"/units/{TOUQIAO}/").content.decode()
    assert "联系部门" in body
    assert "经侦支队" in body


def test_angsu_uses_its_own_level_labels(client_for):
    body = client_for("angsu").get(f"/units/{ANGSU_TOWN}/").content.decode()
    assert "下级嘎查·社区" in body
    assert "个嘎查·社区" in body
    assert "社区/村" not in body


@pytest.mark.parametrize(
    ("username", "expected", "absent"),
    [
        ("grid-nq", ["第一网格", "网格员"], ["头桥派出所", "南桥派出所</a>"]),
        ("nanqiao", ["南桥派出所", "派出所/镇街办公室"], ["头桥派出所"]),
        ("zhian", ["治安支队", "南桥派出所", "金海派出所"], ["头桥派出所"]),
        ("angsu", ["昂素镇"], ["奉贤区"]),
        ("auditor", ["奉贤区", "审计"], ["昂素镇"]),
    ],
)
def test_home_page_shows_the_users_scope(client_for, username, expected, absent):
    body = client_for(username).get("/").content.decode()
    for text in expected:
        assert text in body
    for text in absent:
        assert text not in body
