"""A grid worker's phone in Debian's Chromium against a real `linli serve` on the demo data.

grid-nq signs in on a 360×780 screen, opens today's list from the home page, logs a visit for an
overdue person and sees that person leave the list. The station clerk reads the station's worklist.

With LINLI_SCREENSHOTS set (to a folder, or to 1 for var/screenshots/), today's list, the contact form,
a key person and the station page are also saved at 360 px and 1280 px as care-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linli.core.tests.browser_support import login, screenshot_dir

pytestmark = pytest.mark.browser

NANQIAO = "310120.01"
PHONE = {"width": 360, "height": 780}
WIDTHS = (360, 1280)
# What a page may weigh with its stylesheet and script, uncompressed, on a slow phone connection.
MAX_PAGE_BYTES = 100_000


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _assets(page: Any, base_url: str) -> int:
    return sum(
        len(page.request.get(base_url + path).body())
        for path in ("/static/linli/linli.css", "/static/vendor/htmx.min.js")
    )


def _shoot(page: Any, url: str, name: str, folder: Path | None, assets: int) -> None:
    """Load `url` at each width: nothing sticks out sideways on a phone, the page is light; save if asked."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 780 if width < 720 else 900})
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        if width < 720:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                f"{name} overflows at {width}"
            )
            assert len(response.body()) + assets < MAX_PAGE_BYTES, f"{name} is too heavy"
        if folder is not None:
            page.screenshot(path=str(folder / f"care-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_grid_worker_logs_a_visit_and_the_person_leaves_the_list(page: Any, base_url: str) -> None:
    shots = screenshot_dir()
    assets = _assets(page, base_url)
    login(page, base_url, "grid-nq")

    # The home page opens with today's list (loaded by htmx); one tap opens it.
    block = page.locator("#care-home")
    block.get_by_text("今天要联系的人").wait_for()
    assert "逾期" in block.inner_text()
    block.get_by_role("link", name="打开名单").click()
    page.wait_for_url(base_url + "/care/")
    list_url = str(page.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    rows = page.locator("ul.due-list > li")
    assert rows.count() >= 3
    assert "is-emergency" in (rows.first.get_attribute("class") or "")
    overdue = page.locator("ul.due-list > li:not(.is-emergency):has(.late)").first
    name = overdue.locator("a.who").inner_text()
    assert page.locator("ul.due-list > li:has(.today)").count() >= 1

    # One tap on the row's button: the form, with 上门 and 联系上 chosen and the time set to now.
    overdue.get_by_role("link", name="登记联系").click()
    page.wait_for_url(re.compile(r"/care/key-persons/\d+/contacts/new/$"))
    form_url = str(page.url)
    assert page.locator("h1").inner_text() == f"登记联系：{name}"
    assert page.locator("#id_kind_0").is_checked()
    assert page.locator("#id_reached_0").is_checked()
    assert page.locator("#id_occurred_at").input_value()
    page.get_by_role("radio", name="上门").check()
    page.fill("#id_outcome", "老人身体不错，已提醒注意用气安全")
    page.fill("#id_needs_found", "希望有人帮忙买菜")
    page.get_by_role("button", name="保存").click()

    # Back on the list, with a message, and the person is gone from it.
    page.wait_for_url(list_url)
    assert f"已登记与{name}的上门联系" in page.locator(".messages").inner_text()
    assert name not in page.locator("ul.due-list").inner_text()

    # The visit is the newest entry on the person's page, the next contact a week or less away.
    person_url = form_url.removesuffix("contacts/new/")
    page.goto(person_url)
    newest = page.locator("ul.contacts > li").first
    assert "上门" in newest.inner_text()
    assert "希望有人帮忙买菜" in newest.inner_text()
    assert "逾期" not in page.locator("dl.facts").first.inner_text()

    _shoot(page, list_url, "today", shots, assets)
    _shoot(page, form_url, "contact-form", shots, assets)
    _shoot(page, person_url, "key-person", shots, assets)
    _shoot(page, base_url + "/", "home", shots, assets)


def test_station_clerk_reads_the_worklist_and_the_rates(page: Any, base_url: str) -> None:
    shots = screenshot_dir()
    assets = _assets(page, base_url)
    login(page, base_url, "nanqiao")
    page.get_by_role("link", name="关爱", exact=True).click()
    page.get_by_role("link", name="南桥派出所").click()
    page.wait_for_url(base_url + f"/care/units/{NANQIAO}/")
    assert page.locator("#due ul.due-list > li").count() >= 1
    rates = page.locator("#rates table.rates tbody tr")
    assert rates.count() >= 5
    assert re.search(r"\d+\.\d%", page.locator("#rates tfoot").inner_text())
    station_url = str(page.url)
    page.locator("#rates tbody a").first.click()
    page.wait_for_url(re.compile(r"/care/units/310120\.01\.\d{3}/"))
    community_url = str(page.url)
    assert page.locator("#rates tbody tr").count() >= 1
    _shoot(page, station_url, "station", shots, assets)
    _shoot(page, community_url, "community", shots, assets)
