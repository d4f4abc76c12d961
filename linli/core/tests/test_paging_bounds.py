"""Paging parameters are bounded on every list (API: a Chinese 422; pages: a page, never a 500), and the
OpenAPI document names each schema once."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from ninja import Schema

from linli.conftest import NQ_COMMUNITY

pytestmark = pytest.mark.django_db

HUGE = str(2**62)
# page values a client may send: past any offset a database takes, junk, negative, 5000 digits.
BAD_PAGES = [HUGE, str(2**63 + 1), "abc", "-3", "1e400", "9" * 5000, ""]


def _paged_operations() -> list[tuple[str, str]]:
    from linli.urls import api

    operations = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            if any(p["name"] == "page" for p in operation.get("parameters", [])):
                operations.append((method, path))
    return operations


def test_every_paged_api_is_found():
    # The count the issue measured: a new paged endpoint joins the tests below by itself.
    assert len(_paged_operations()) >= 13


@pytest.mark.parametrize(
    ("query", "message"),
    [(f"page={HUGE}", "页码不能超过 100000"), ("page=0", "页码从 1 开始"), ("page_size=100000", "每页条数")],
)
def test_out_of_range_paging_is_a_chinese_422_on_every_paged_api(api_for, query, message):
    client = api_for("admin")
    for method, path in _paged_operations():
        url = path.replace("/api/v1/", "/api/v1/", 1).replace("{key_person_id}", "1") + "?" + query
        if method == "post":
            response = client.post(url, {"name": "某"}, content_type="application/json")
        else:
            response = client.get(url)
        assert response.status_code == 422, (method, path, response.status_code)
        assert message in json.dumps(response.json(), ensure_ascii=False), (method, path)


def test_the_last_allowed_page_is_an_empty_page(api_for):
    response = api_for("admin").get("/api/v1/residents?page=100000&page_size=200")
    assert response.status_code == 200
    assert response.json()["items"] == []


HTML_LISTS = [
    ("nanqiao", "/residents/?q=张"),
    ("nanqiao", "/addresses/review/"),
    ("nanqiao", "/imports/"),
    ("nanqiao", "/care/"),
    ("nanqiao", "/requests/"),
    ("zhengzhi", "/requests/typical/"),
    ("nanqiao", "/requests/cases/"),
    ("nanqiao", f"/safety/units/{NQ_COMMUNITY}/disputes/"),
    ("nanqiao", f"/safety/units/{NQ_COMMUNITY}/hazards/"),
    ("auditor", "/audit/"),
]


@pytest.mark.parametrize(("username", "url"), HTML_LISTS)
def test_html_lists_answer_any_page_without_a_server_error(client_for, username, url):
    client = client_for(username)
    first = client.get(url)
    if first.status_code != 200:
        pytest.skip(f"{url} answers {first.status_code} for {username}")
    joiner = "&" if "?" in url else "?"
    for page in BAD_PAGES:
        response = client.get(f"{url}{joiner}page={page}")
        assert response.status_code in (200, 404), (url, page[:30], response.status_code)


def test_no_two_api_schemas_share_a_name(client_for):
    import linli.urls  # noqa: F401  (loads every router and its schemas)

    by_name: dict[str, set[str]] = defaultdict(set)
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("linli.") and ".tests." not in cls.__module__:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    duplicates = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert duplicates == {}
    components = client_for("admin").get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"RequestEventOut", "SafetyEventOut"} <= set(components)
