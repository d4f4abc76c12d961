"""A station clerk imports residents in Debian's Chromium against a real `linli serve` on the demo data.

Import a small xlsx with two bad rows, read the report on the page and download it, fix the file,
import it again, write it, and find the people in the search (masked, then revealed with a reason).

With LINLI_SCREENSHOTS set (to a folder, or to 1 for var/screenshots/), the resident search, detail and
import job pages are also saved at 360 px and 1280 px.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from linli.core.tests.browser_support import login, screenshot_dir
from linli.lib.idcard import make_id_number

pytestmark = pytest.mark.browser

NQ_GRID = "310120.01.001.01"
HEADER = ["姓名", "身份证号", "联系电话", "人口类型", "现住址"]
WIDTHS = (360, 1280)


def _id(n: int) -> str:
    return make_id_number("310120", date(1960 + n, 1 + n, 1 + n), 100 + 2 * n + 1, "M")


def _rows(*, broken: bool) -> list[list[object]]:
    rows: list[list[object]] = [
        [f"试导入{n}", _id(n), 13900000000 + n, "常住", f"育秀路{n + 1}号"] for n in range(5)
    ]
    if broken:
        rows[1][1] = _id(1)[:17] + ("0" if _id(1)[17] != "0" else "1")  # sheet row 3: wrong check digit
        rows[3][3] = "外星"  # sheet row 5: unknown residence type
    header: list[object] = list(HEADER)
    return [header, *rows]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _upload(page: Any, base_url: str, file: Path) -> str:
    page.goto(base_url + "/imports/new/")
    page.select_option("#id_grid", NQ_GRID)
    page.set_input_files("#id_file", str(file))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    return str(page.url)


def _shoot(page: Any, url: str, name: str, folder: Path | None, then: Any = None) -> None:
    """Load `url` at each width, check nothing sticks out sideways on the phone, save if asked."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 780 if width < 720 else 900})
        page.goto(url)
        if then is not None:
            then(page)
        page.wait_for_load_state("networkidle")
        if width < 720:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                f"{name} overflows at {width}"
            )
        if folder is not None:
            page.screenshot(path=str(folder / f"registry-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_import_fix_reimport_and_find_the_residents(page: Any, base_url: str, tmp_path: Path) -> None:
    shots = screenshot_dir()
    login(page, base_url, "nanqiao")
    page.get_by_role("link", name="人口", exact=True).click()
    page.get_by_role("link", name="数据导入").click()
    page.get_by_role("link", name="新建导入").click()
    assert page.url == base_url + "/imports/new/"

    # 1. A sheet with two bad rows: validated, nothing written, the rows named on the page.
    bad_url = _upload(page, base_url, _xlsx(tmp_path / "人口登记.xlsx", _rows(broken=True)))
    card = page.locator("#job")
    assert "已校验" in card.locator(".state").inner_text()
    errors = page.locator("table.errors tbody tr")
    assert [errors.nth(i).locator("td").first.inner_text() for i in range(errors.count())] == ["3", "5"]
    assert "校验位错误" in errors.nth(0).inner_text()
    assert "人口类型" in errors.nth(1).inner_text()
    assert page.get_by_role("button", name="只写入正确的行（3 行）").is_visible()
    assert page.get_by_role("button", name=re.compile(r"^写入（")).count() == 0

    # 2. The full report downloads as xlsx and says the same.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（xlsx）").click()
    assert download.value.suggested_filename == "人口登记-错误报告.xlsx"
    report = tmp_path / "report.xlsx"
    download.value.save_as(str(report))
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["行号", "列", "问题"]
    assert [(str(r[0]).removesuffix(".0"), r[1]) for r in rows[1:]] == [
        ("3", "公民身份号码"),
        ("5", "人口类型"),
    ]

    # 3. Fixed and imported again: no errors, the whole file is written.
    _upload(page, base_url, _xlsx(tmp_path / "人口登记（改）.xlsx", _rows(broken=False)))
    assert page.locator("table.errors").count() == 0
    page.get_by_role("button", name="写入（5 行）").click()
    page.wait_for_load_state()
    assert "已写入：新增 5，更新 0，未变 0" in page.locator(".messages").inner_text()
    assert "已完成" in page.locator("#job .state").inner_text()
    job_url = str(page.url)

    # 4. The people are found by name, masked; the full numbers need a reason.
    page.get_by_role("link", name="人口", exact=True).click()
    page.fill("#id_name", "试导入")
    page.get_by_role("button", name="查询").first.click()
    results = page.locator("ul.people li")
    assert results.count() == 5
    listing = page.locator("main").inner_text()
    assert _id(2) not in listing
    assert f"{_id(2)[:6]}********{_id(2)[-4:]}" in listing
    assert "139****0002" in listing
    search_url = str(page.url)
    assert "id_number" not in search_url

    page.get_by_role("link", name="试导入2").click()
    detail_url = str(page.url)
    assert _id(2) not in page.locator("main").inner_text()
    page.fill("#id_reason", "入户走访核对")
    with page.expect_response(lambda r: r.url.endswith("/reveal/")) as revealed:
        page.get_by_role("button", name="查看完整号码").click()
    assert revealed.value.status == 200
    page.locator("#reveal").get_by_text(_id(2)).wait_for()
    assert page.url == detail_url  # swapped in place by htmx
    assert page.locator('#reveal a[href="tel:13900000002"]').is_visible()

    # 5. An ID number search is a POST: the number never reaches the address bar.
    page.goto(base_url + "/residents/")
    page.locator("details.id-search > summary").click()
    page.fill("#id_id_number", _id(4))
    with page.expect_request(lambda r: r.url == base_url + "/residents/") as searched:
        page.locator("details.id-search").get_by_role("button", name="查询").click()
    assert searched.value.method == "POST"
    page.wait_for_load_state()
    assert page.url == base_url + "/residents/"
    assert page.locator("ul.people li").count() == 1
    assert page.locator("#id_id_number").input_value() == ""

    def reveal(p: Any) -> None:
        p.fill("#id_reason", "入户走访核对")
        p.get_by_role("button", name="查看完整号码").click()
        p.locator("#reveal .num").first.wait_for()

    _shoot(page, search_url, "resident-search", shots)
    _shoot(page, detail_url, "resident-detail", shots)
    _shoot(page, detail_url, "resident-revealed", shots, then=reveal)
    _shoot(page, bad_url, "import-job-errors", shots)
    _shoot(page, job_url, "import-job-done", shots)
    _shoot(page, base_url + "/imports/", "import-jobs", shots)
    _shoot(page, base_url + "/imports/new/", "import-new", shots)


def test_auditor_reads_a_resident_and_their_address_without_reveal(page: Any, base_url: str) -> None:
    """The demo population, seen by a read-only role with the longest menu (审计 too), on a phone."""
    shots = screenshot_dir()
    login(page, base_url, "auditor")
    listing = page.request.get(base_url + "/api/v1/residents?page_size=50").json()["items"]
    resident = next(r for r in listing if r["address"])
    detail_url = f"{base_url}/residents/{resident['id']}/"
    _shoot(page, detail_url, "resident-detail-auditor", shots)
    assert page.get_by_role("button", name="查看完整号码").count() == 0
    assert resident["id_number"] in page.locator("main").inner_text()  # the masked one
    page.get_by_role("link", name=resident["address"]).click()
    page.wait_for_url(re.compile(r"/addresses/\d+/$"))
    people = page.locator("ul.people li")
    assert people.count() >= 1
    assert resident["name"] in page.locator("ul.people").inner_text()
    _shoot(page, str(page.url), "address", shots)
