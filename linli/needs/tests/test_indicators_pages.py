"""The request indicators page of a unit, and the links that lead to it."""

from __future__ import annotations

import pytest

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID
from linli.demo.needs import load_needs_demo
from linli.org.models import Unit

pytestmark = pytest.mark.django_db


def test_rates_page_counts_the_communities_requests(client_for, persona):
    load_needs_demo()
    response = client_for("nanqiao").get(f"/requests/rates/{NANQIAO}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "诉求办理情况" in html and "按时解决率" in html
    community = Unit.objects.get(path=NQ_COMMUNITY)
    # The demo's seven grid-nq requests arose in this community: one closed with 5 points, two solved.
    row = html.split(f'href="/requests/rates/{community.code}/')[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]][1:]
    assert cells[:4] == ["7", "5", "2", "2"], cells
    assert cells[4:] == ["100%", "1", "5.0", "100%"], cells


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("grid-nq", NQ_GRID, 200),
        ("officer-nq", NQ_COMMUNITY, 200),
        ("admin", "310120", 200),
        ("auditor", NANQIAO, 200),
        ("touqiao", NANQIAO, 404),
        ("zhian", NANQIAO, 404),
        ("grid-tq", NQ_GRID, 404),
    ],
)
def test_rates_page_is_scoped(client_for, username, code, status):
    assert client_for(username).get(f"/requests/rates/{code}/").status_code == status


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13-01", "日期格式应为"),
        ("start=2026-05-02&end=2026-05-01", "不能早于"),
        ("start=2024-01-01&end=2026-01-01", "最长一年"),
    ],
)
def test_rates_page_refuses_bad_periods(client_for, query, message):
    response = client_for("nanqiao").get(f"/requests/rates/{NANQIAO}/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_queue_links_to_rates_and_categories(client_for):
    html = client_for("admin").get("/requests/").content.decode()
    assert 'href="/requests/rates/310120/"' in html and 'href="/requests/categories/"' in html
    html = client_for("grid-nq").get("/requests/").content.decode()
    assert f'href="/requests/rates/{NQ_GRID}/"' in html and "/requests/categories/" not in html
    care = client_for("nanqiao").get(f"/care/units/{NANQIAO}/").content.decode()
    assert f'href="/requests/rates/{NANQIAO}/"' in care


def test_home_links_to_the_work(client_for):
    html = client_for("grid-nq").get("/").content.decode()
    assert 'href="/requests/"' in html and 'href="/safety/"' in html and 'href="/care/"' in html
    html = client_for("zhian").get("/").content.decode()
    assert 'href="/requests/"' in html and 'href="/safety/"' not in html
