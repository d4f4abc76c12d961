"""The Content-Security-Policy refuses nothing on linli's own pages: Debian's Chromium opens the pages a
persona reaches from the menu (htmx fragments included), the love-card pages and the public pages, and
no "Refused to …" report appears in the console (docs/security.md)."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from linli.core.tests.browser_support import login

pytestmark = pytest.mark.browser

NQ_GRID = "310120.01.001.01"
NQ_COMMUNITY = "310120.01.001"
MAX_PAGES = 16
_SKIP = re.compile(r"(export|download|\.xlsx|\.csv|/logout|/api/|/open311/)", re.I)


class Console:
    """Console messages and page errors of one browser context."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("console", lambda message: self.messages.append(f"{page.url}: {message.text}"))
        page.on("pageerror", lambda error: self.messages.append(f"{page.url}: {error}"))

    def refusals(self) -> list[str]:
        return [m for m in self.messages if "Refused to" in m or "Content Security Policy" in m]


@pytest.fixture
def watched(browser: Any) -> Iterator[tuple[Any, Console]]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    console = Console()
    page = context.new_page()
    console.watch(page)
    try:
        yield page, console
    finally:
        context.close()


def _visit_menu_pages(page: Any, base_url: str) -> list[str]:
    """Open the pages reachable from the home page and the menu, then the links on those, breadth first."""
    seen: list[str] = []
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = page.goto(base_url + path)
        assert response is not None and response.status < 500, path
        assert response.headers.get("content-security-policy"), path
        page.wait_for_load_state("networkidle")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urllib.parse.urlsplit(href)
            if url.scheme or url.netloc or not url.path.startswith("/") or _SKIP.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen and target not in queue:
                queue.append(target)
    return seen


@pytest.mark.parametrize("username", ["nanqiao", "auditor"])
def test_pages_of_a_persona_trigger_no_csp_refusal(
    watched: tuple[Any, Console], base_url: str, username: str
):
    page, console = watched
    login(page, base_url, username)
    seen = _visit_menu_pages(page, base_url)
    assert len(seen) >= 8, seen
    # An htmx fragment on a page: the unit tree opens a unit's children on request.
    page.goto(f"{base_url}/units/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("head style").count() == 0
    assert console.refusals() == [], console.refusals()


def test_love_card_pages_and_public_pages_trigger_no_csp_refusal(watched: tuple[Any, Console], base_url: str):
    page, console = watched
    login(page, base_url, "nanqiao")
    page.goto(f"{base_url}/care/love-cards/sheet/{NQ_COMMUNITY}/")
    page.wait_for_load_state("networkidle")
    qr_codes = page.locator(".lovecard-qr svg")
    if qr_codes.count():
        box = qr_codes.first.bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 50
    # The print button is wired by print.js, not an inline handler.
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("document.body.dataset.printed") == "yes"
    # A card's own page shows its link; the finder's page opens it, and a location is sent.
    page.goto(f"{base_url}/care/units/{NQ_GRID}/")
    ids = sorted(set(re.findall(r"/care/key-persons/(\d+)/", page.content())))
    link = ""
    for key_person_id in ids[:30]:
        page.goto(f"{base_url}/care/love-cards/{key_person_id}/")
        found = re.search(r"/c/[A-Za-z0-9_-]{43}", page.content())
        if found:
            link = found.group(0)
            break
    assert link, f"no love card among the grid's key persons {ids[:30]}"
    box = page.locator(".lovecard-preview svg").bounding_box()
    assert box is not None and box["width"] > 50
    page.goto(base_url + link)
    page.fill("#location", "解放路公交站")
    page.get_by_role("button", name="告诉他们").click()
    page.wait_for_load_state()
    assert "已告知他们您所在的位置" in page.locator("body").inner_text()
    page.goto(f"{base_url}/g/{NQ_GRID}/ask")
    page.wait_for_load_state("networkidle")
    assert page.locator("form").count() >= 1
    assert console.refusals() == [], console.refusals()
