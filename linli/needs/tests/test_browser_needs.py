"""A request's whole loop on phones, in Debian's Chromium against a real `linli serve` on the demo data.

grid-nq (360 px) visits a key person from today's list and notes a need; the need opens a request, which
grid-nq escalates. The community officer finds it under 上报给我们的 and solves it. The resident rates it
through the link, on a phone without an account; the request then reads 已办结 with 5 stars.

With LINLI_SCREENSHOTS set (to a folder, or to 1 for var/screenshots/), every request page is also saved
at 360 px and 1280 px as needs-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linli.core.tests.browser_support import login, screenshot_dir

pytestmark = pytest.mark.browser

NQ_GRID = "310120.01.001.01"
PHONE = {"width": 360, "height": 780}
WIDTHS = (360, 1280)
MAX_PAGE_BYTES = 100_000
NEED = "老人想请人帮忙代买降压药，子女都在外地"


def _context(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def contexts(browser: Any) -> Iterator[Any]:
    """New phone-sized browser contexts (one per person), closed afterwards."""
    opened: list[Any] = []

    def make() -> Any:
        context = _context(browser)
        opened.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in opened:
            context.close()


def _assets(page: Any, base_url: str) -> int:
    return sum(
        len(page.request.get(base_url + path).body())
        for path in ("/static/linli/linli.css", "/static/vendor/htmx.min.js")
    )


def _shoot(page: Any, url: str, name: str, folder: Path | None, assets: int, status: int = 200) -> None:
    """Load `url` at each width: nothing sticks out sideways on a phone, the page is light; save if asked."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 780 if width < 720 else 900})
        response = page.goto(url)
        assert response is not None and response.status == status, f"{name}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        if width < 720:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                f"{name} overflows at {width}"
            )
            assert len(response.body()) + assets < MAX_PAGE_BYTES, f"{name} is too heavy"
        if folder is not None:
            page.screenshot(path=str(folder / f"needs-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_a_need_found_on_a_visit_goes_round_the_loop(contexts: Any, base_url: str) -> None:
    shots = screenshot_dir()

    # grid-nq visits someone on today's list and notes a need.
    grid = contexts()
    assets = _assets(grid, base_url)
    login(grid, base_url, "grid-nq")
    grid.goto(base_url + "/care/")
    row = grid.locator("ul.due-list > li").first
    name = row.locator("a.who").inner_text()
    row.locator("a.who").click()
    grid.wait_for_url(re.compile(r"/care/key-persons/\d+/$"))
    person_url = str(grid.url)
    grid.get_by_role("link", name="登记联系").click()
    grid.wait_for_url(re.compile(r"/contacts/new/$"))
    grid.fill("#id_outcome", "老人精神不错")
    grid.fill("#id_needs_found", NEED)
    grid.get_by_role("button", name="保存").click()
    grid.wait_for_url(base_url + "/care/")

    # The need opened a request, linked from the person's history.
    grid.goto(person_url)
    newest = grid.locator("ul.contacts > li").first
    assert NEED in newest.inner_text()
    newest.get_by_role("link", name=re.compile(r"^诉求\d{4}-\d{6}")).click()
    grid.wait_for_url(re.compile(r"/requests/\d+/$"))
    request_url = str(grid.url)
    number = grid.locator("h1 .num").inner_text()
    assert NEED in grid.locator(".req-body").inner_text()
    assert "重点人员联系中发现" in grid.locator("dl.facts").inner_text()
    assert grid.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # It is in the grid's 待受理 queue too.
    grid.get_by_role("link", name="诉求", exact=True).click()
    grid.wait_for_url(base_url + "/requests/")
    assert number in grid.locator("ul.requests").inner_text()
    _shoot(grid, base_url + "/requests/", "queue", shots, assets)
    _shoot(grid, request_url, "request-open", shots, assets)

    # grid-nq escalates it to the community, with a reason.
    grid.goto(request_url)
    grid.locator("summary", has_text="上报至").click()
    grid.fill("#escalate_reason", "药品需社区卫生服务中心协调，网格无法解决")
    grid.get_by_role("button", name="上报", exact=True).click()
    grid.wait_for_url(request_url)
    assert "已上报上级办理" in grid.locator(".messages").inner_text()
    assert "→ 新南居委" in grid.locator("ol.timeline").inner_text()

    # The community officer finds it under 上报给我们的 and solves it.
    officer = contexts()
    login(officer, base_url, "officer-nq")
    officer.goto(base_url + "/requests/")
    officer.get_by_role("link", name=re.compile("^上报给我们的")).click()
    officer.wait_for_url(re.compile(r"queue=escalated"))
    officer.get_by_role("link", name=number).click()
    officer.wait_for_url(request_url)
    assert "药品需社区卫生服务中心协调" in officer.locator("ol.timeline").inner_text()
    _shoot(officer, request_url, "request-escalated", shots, assets)
    officer.goto(request_url)
    officer.locator("summary", has_text="解决").click()
    officer.fill("#solve_solution", "已联系社区卫生服务中心，家庭医生明天上门送药")
    officer.get_by_role("button", name="已解决").click()
    officer.wait_for_url(request_url)
    assert "已解决待回访" in officer.locator("h1").inner_text()

    # Back on grid-nq's phone: the rating link and its QR code, to hand to the resident.
    grid.goto(request_url)
    link = grid.locator(".rating-link a").inner_text()
    assert re.search(r"/r/[A-Za-z0-9_-]{43}$", link)
    assert grid.locator(".rating-link svg").count() == 1
    _shoot(grid, request_url, "request-solved", shots, assets)

    # The resident opens the link on their own phone, without an account, and gives 5 stars.
    resident = contexts()
    rating_url = base_url + link[link.index("/r/") :]
    _shoot(resident, rating_url, "rate", shots, assets)
    resident.goto(rating_url)
    page_text = resident.locator("main").inner_text()
    assert number in page_text
    assert name not in page_text
    resident.get_by_role("radio", name=re.compile(r"^很满意")).check()
    resident.fill("#id_comment", "谢谢网格员和民警")
    resident.get_by_role("button", name="提交评价").click()
    resident.get_by_text("谢谢您的评价").first.wait_for()
    if shots is not None:
        resident.screenshot(path=str(shots / "needs-rated-360.png"), full_page=True)
    # The link works once.
    assert resident.goto(rating_url).status == 404

    # The request is closed, with the resident's 5 stars.
    grid.goto(request_url)
    assert "已办结" in grid.locator("h1").inner_text()
    facts = grid.locator("dl.facts").inner_text()
    assert "5 分" in facts
    assert "群众通过链接评价" in facts
    _shoot(grid, request_url, "request-closed", shots, assets)
    _shoot(grid, person_url, "key-person", shots, assets)
    key_person_id = person_url.rstrip("/").rsplit("/", 1)[1]
    _shoot(grid, base_url + f"/requests/new/?key_person={key_person_id}", "new-for-key-person", shots, assets)
    _shoot(grid, base_url + "/requests/new/", "new", shots, assets)
    _shoot(grid, base_url + "/requests/?queue=all", "queue-all", shots, assets)
    _shoot(grid, base_url + "/requests/cases/", "cases", shots, assets)
    _shoot(resident, base_url + f"/g/{NQ_GRID}/ask", "ask", shots, assets)


def test_the_political_department_and_the_public_grid_page(contexts: Any, base_url: str) -> None:
    shots = screenshot_dir()
    page = contexts()
    assets = _assets(page, base_url)
    login(page, base_url, "zhengzhi")
    page.goto(base_url + "/requests/")
    page.get_by_role("link", name="挑选典型案例").click()
    page.wait_for_url(base_url + "/requests/typical/")
    _shoot(page, base_url + "/requests/typical/", "typical", shots, assets)
    page.goto(base_url + "/requests/typical/")
    candidates = page.locator("ul.typical > li")
    if candidates.count():
        candidates.first.locator("a.edit").click()
        page.wait_for_url(re.compile(r"/requests/typical/\d+/$"))
        _shoot(page, str(page.url), "typical-mark", shots, assets)

    # The district admin's menu has six entries; the auditor reads a request without any button.
    admin = contexts()
    login(admin, base_url, "admin")
    _shoot(admin, base_url + "/requests/?queue=all", "admin-queue", shots, assets)
    admin.goto(base_url + "/requests/?queue=all")
    request_url = base_url + str(admin.locator("ul.requests a.req-no").first.get_attribute("href"))
    auditor = contexts()
    login(auditor, base_url, "auditor")
    auditor.goto(request_url)
    assert auditor.locator("#act").count() == 0
    _shoot(auditor, request_url, "auditor-request", shots, assets)

    # A resident files on the grid's public page after working out the sum.
    resident = contexts()
    resident.goto(base_url + f"/g/{NQ_GRID}/ask")
    resident.select_option("#id_category", label="矛盾纠纷")
    resident.fill("#id_text", "楼上装修每天早上七点开始，影响老人休息")
    resident.fill("#id_caller_phone", "13700001234")
    question = resident.locator("label[for=id_answer]").inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question))
    resident.fill("#id_answer", str(a + b))
    resident.wait_for_timeout(3200)
    resident.get_by_role("button", name="提交").click()
    resident.get_by_text("已收到您的诉求").first.wait_for()
    assert re.search(r"\d{4}-\d{6}", resident.locator(".notice").inner_text())
    if shots is not None:
        resident.screenshot(path=str(shots / "needs-asked-360.png"), full_page=True)
