"""Where the safety pages start, over HTTP: the safety home per persona and the unit page's links to the
registers."""

from __future__ import annotations

from typing import Any

import pytest

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID

pytestmark = pytest.mark.django_db


def _body(response: Any) -> str:
    return response.content.decode()


def test_the_safety_home_lists_units_and_my_checks(client_for, agreed):
    body = _body(client_for("officer-nq").get("/safety/"))
    assert f"/safety/units/{NQ_COMMUNITY}/disputes/" in body
    assert f"/safety/units/{NQ_COMMUNITY}/hazards/" in body
    assert "停车位占用纠纷" in body
    assert "您跟进的纠纷今天没有到期的回访" in _body(client_for("grid-nq").get("/safety/"))
    assert "您的工作范围不含矛盾纠纷和隐患" in _body(client_for("zhian").get("/safety/"))


def test_the_unit_page_links_to_the_registers(client_for):
    body = _body(client_for("grid-nq").get(f"/units/{NQ_GRID}/"))
    assert f'href="/safety/units/{NQ_GRID}/disputes/"' in body
    assert f'href="/safety/units/{NQ_GRID}/hazards/"' in body
    assert "/safety/units/" not in _body(client_for("zhian").get(f"/units/{NANQIAO}/"))
