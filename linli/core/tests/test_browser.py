"""End-to-end journeys in Debian's Chromium against a real `linli serve` (gunicorn) on the demo data.

No pytest-django database here: the module starts its own server on a fresh database (see
browser_support). Run alone with `pytest -m browser`; skipped where Chromium is missing, except on
CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from linli.core.tests.browser_support import login

pytestmark = pytest.mark.browser

NQ_COMMUNITY = "310120.01.001"
TOUQIAO = "310120.09"
TQ_GRID = "310120.09.001.01"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_pages_load_only_their_own_small_assets(page: Any, base_url: str) -> None:
    """The stylesheet and htmx come from linli itself (no CDN, no web fonts) and a page stays small."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, base_url, "nanqiao")
    response = page.goto(base_url + "/units/")
    assert response is not None
    assert all(url.startswith(base_url + "/") for url in requested), requested
    size = len(response.body())
    for path, kind in (("/static/linli/linli.css", "text/css"), ("/static/vendor/htmx.min.js", "javascript")):
        assert base_url + path in requested
        asset = page.request.get(base_url + path)
        assert asset.status == 200, f"{path} answered {asset.status}: is linli/static on STATICFILES_DIRS?"
        assert kind in asset.headers.get("content-type", "")
        size += len(asset.body())
    assert size < 100_000, f"/units/ with its assets is {size} bytes"
    assert page.evaluate("typeof htmx") == "object"
    # The stylesheet applies: the top bar sticks to the top of the screen.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).position") == "sticky"


def test_grid_worker_sees_only_their_grid(page: Any, base_url: str) -> None:
    login(page, base_url, "grid-nq")
    assert page.url == base_url + "/"
    main = page.locator("main")
    assert "第一网格" in main.inner_text()
    body = page.locator("body").inner_text()
    assert "南桥派出所" not in body
    assert "头桥" not in body
    assert page.locator("a[href='/units/310120.01/']").count() == 0

    page.get_by_role("link", name="单位", exact=True).click()
    page.wait_for_url(base_url + "/units/")
    tree = page.locator("main ul.tree").first
    assert tree.locator(":scope > li").count() == 1
    assert "第一网格" in tree.inner_text()
    body = page.locator("body").inner_text()
    assert "南桥派出所" not in body
    assert "头桥" not in body

    for code in (TOUQIAO, TQ_GRID):
        response = page.goto(f"{base_url}/units/{code}/")
        assert response is not None
        assert response.status == 404
        assert page.locator("h1").inner_text() == "未找到"
        assert "头桥" not in page.locator("body").inner_text()


def test_wrong_password_stays_on_login_page(page: Any, base_url: str) -> None:
    login(page, base_url, "squad-nq", password="not-the-password")
    assert page.url.startswith(base_url + "/login/")
    assert "用户名或口令不正确" in page.get_by_role("alert").inner_text()
    assert page.locator("#id_username").input_value() == "squad-nq"
    assert page.locator("#id_password").input_value() == ""


def test_station_expands_tree_on_a_phone(page: Any, base_url: str) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, base_url, "nanqiao")
    page.goto(base_url + "/units/")
    assert page.evaluate("typeof htmx") == "object", "htmx did not load: the tree cannot expand"
    # Nothing sticks out sideways on a narrow phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    station = page.locator("main details").first
    with page.expect_response(lambda r: r.url.endswith("/units/310120.01/children/")) as loaded:
        station.locator(":scope > summary .muted").click()
    assert loaded.value.status == 200
    community = station.locator(f"details:has(> summary a[href='/units/{NQ_COMMUNITY}/'])")
    community.wait_for()
    with page.expect_response(lambda r: r.url.endswith(f"/units/{NQ_COMMUNITY}/children/")) as loaded:
        community.locator(":scope > summary .muted").click()
    assert loaded.value.status == 200
    grid = community.get_by_role("link", name="第一网格", exact=True)
    grid.wait_for()
    assert grid.get_attribute("href") == f"/units/{NQ_COMMUNITY}.01/"
    assert community.evaluate("d => d.open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
