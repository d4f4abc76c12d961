"""Request pages over HTTP, per persona: the queues, filing, a request with its timeline and actions,
attachments, the public rating and intake pages, typical cases, and the key person page's links."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from linli.audit.models import AuditEvent
from linli.conftest import JINGZHEN, NQ_COMMUNITY, NQ_GRID, TQ_GRID, ZHIAN
from linli.needs.models import Channel, Request, RequestCategory, RequestEvent
from linli.needs.services.intake import FILINGS_PER_HOUR, challenge_new
from linli.needs.services.requests import request_escalate, request_file, request_note, request_solve
from linli.org.models import Unit

pytestmark = pytest.mark.django_db

CALLER = "王阿姨"
CALLER_PHONE = "13912345678"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# A page with its stylesheet and script must stay under this on a slow phone connection.
MAX_PAGE_BYTES = 100_000


def _file(persona: Any, username: str = "grid-nq", grid: str = NQ_GRID, **extra: Any) -> Request:
    return request_file(
        actor=persona(username),
        category=RequestCategory.objects.get(code=extra.pop("category", "errands")),
        channel=Channel.VISIT,
        text=extra.pop("text", "独居老人家中水管漏水，需要帮忙联系维修"),
        unit=Unit.objects.get(path=grid),
        caller_name=CALLER,
        caller_phone=CALLER_PHONE,
        **extra,
    )


def _escalate(persona: Any, username: str, request: Request, reason: str = "本级无法解决") -> Request:
    return request_escalate(actor=persona(username), request=request, version=request.version, reason=reason)


def _solve(persona: Any, request: Request, username: str = "grid-nq") -> Request:
    return request_solve(
        actor=persona(username), request=request, version=request.version, solution="已联系物业当天修好"
    )


def _body(response: Any) -> str:
    return response.content.decode()


def _fresh(request: Request) -> Request:
    return Request.objects.get(pk=request.pk)


@pytest.fixture
def filed(persona: Any) -> Request:
    """A request filed by grid-nq in its grid (南桥), held there, nobody handling it yet."""
    return _file(persona)


# Sign-in.


def test_request_pages_require_login(client, filed):
    for url in (
        "/requests/",
        "/requests/new/",
        f"/requests/{filed.pk}/",
        "/requests/typical/",
        f"/requests/typical/{filed.pk}/",
        "/requests/cases/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/")
    response = client.post(f"/requests/{filed.pk}/accept/", {"version": filed.version})
    assert response.status_code == 302
    assert _fresh(filed).handler is None


# The queues.


def test_grid_worker_sees_the_new_request_in_the_queue(client_for, filed):
    body = _body(client_for("grid-nq").get("/requests/"))
    assert filed.number in body
    assert 'aria-current="page">待受理' in body
    assert "代购代办" in body
    assert 'class="urgency urgency-normal">一般' in body
    assert "新南居委第一网格" in body
    assert "剩余 72 小时" in body
    assert "办理中" in body
    assert 'href="/requests/new/"' in body
    # A number on each tab that has work.
    assert re.search(r'待受理 <span class="count">1</span>', body)


def test_overdue_requests_say_by_how_much(client_for, filed):
    Request.objects.filter(pk=filed.pk).update(
        deadline_at=timezone.now() - datetime.timedelta(hours=5, minutes=5)
    )
    body = _body(client_for("grid-nq").get("/requests/?queue=overdue"))
    assert filed.number in body
    assert "超时 5 小时" in body
    assert re.search(r'已超时 <span class="count bad">1</span>', body)


@pytest.mark.parametrize(
    ("username", "queue", "seen"),
    [
        ("grid-nq", "all", True),
        ("officer-nq", "all", True),
        ("nanqiao", "all", True),
        ("admin", "all", True),
        ("auditor", "all", True),
        ("nanqiao", "new", False),  # held by the grid: not the station's to accept
        ("grid-tq", "all", False),
        ("touqiao", "all", False),
        ("zhian", "all", False),  # not escalated to it
        ("jingzhen", "all", False),
        ("zhengzhi", "all", False),
    ],
)
def test_queues_show_only_what_is_in_scope(client_for, filed, username, queue, seen):
    response = client_for(username).get(f"/requests/?queue={queue}")
    assert response.status_code == 200
    assert (filed.number in _body(response)) is seen


def test_escalated_requests_reach_the_units_above(client_for, persona, filed):
    request = _escalate(persona, "grid-nq", filed)
    body = _body(client_for("officer-nq").get("/requests/?queue=escalated"))
    assert request.number in body
    request = _escalate(persona, "officer-nq", request)
    request = _escalate(persona, "nanqiao", request)
    assert request.holder_path == ZHIAN
    body = _body(client_for("zhian").get("/requests/?queue=escalated"))
    assert request.number in body
    assert "治安支队" in body
    assert request.number not in _body(client_for("jingzhen").get("/requests/?queue=all"))


def test_read_only_users_get_no_filing_button_and_the_political_department_a_link(client_for, filed):
    body = _body(client_for("auditor").get("/requests/"))
    assert 'href="/requests/new/"' not in body
    assert 'aria-current="page">全部' in body
    body = _body(client_for("zhengzhi").get("/requests/"))
    assert 'href="/requests/typical/"' in body
    assert filed.number not in body


def test_an_unknown_queue_is_404(client_for):
    assert client_for("grid-nq").get("/requests/?queue=everything").status_code == 404


def test_the_queue_is_paginated(client_for, persona):
    for n in range(31):
        _file(persona, text=f"诉求{n}")
    client = client_for("grid-nq")
    first = _body(client.get("/requests/?queue=all"))
    assert first.count('class="req-no num"') == 30
    assert "第 1 / 2 页" in first
    assert 'href="?queue=all&amp;page=2"' in first
    assert _body(client.get("/requests/?queue=all&page=2")).count('class="req-no num"') == 1


def test_the_menu_links_to_the_requests(client_for):
    body = _body(client_for("grid-nq").get("/"))
    assert 'href="/requests/"' in body


# Filing.


def _new_request(**extra: Any) -> dict[str, Any]:
    data = {
        "category": RequestCategory.objects.get(code="utility_hazard").pk,
        "channel": "phone",
        "urgency": "",
        "text": "楼道灯坏了，晚上老人出门看不见",
        "caller_name": "李先生",
        "caller_phone": "139 1234 5678",
        "unit": NQ_GRID,
        "place_text": "3号楼2单元",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_grid_worker_files_a_request_and_lands_on_it(client_for, persona):
    client = client_for("grid-nq")
    form = _body(client.get("/requests/new/"))
    assert "所在网格/社区" in form
    # The only grid the worker files in is chosen already.
    assert f'<option value="{NQ_GRID}" selected>' in form
    response = client.post("/requests/new/", _new_request())
    request = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/"
    assert request.caller_phone == "13912345678"
    assert request.urgency == "high"  # the category's default
    assert request.created_by == persona("grid-nq")
    body = _body(client.get(response["Location"]))
    assert f"已登记诉求{request.number}" in body
    assert "楼道灯坏了" in body


def test_the_unit_can_be_chosen_by_link(client_for):
    body = _body(client_for("officer-nq").get(f"/requests/new/?unit={NQ_GRID}"))
    assert f'<option value="{NQ_GRID}" selected>' in body
    assert f'<option value="{NQ_COMMUNITY}">' in body
    # A unit outside the user's is not offered.
    assert TQ_GRID not in _body(client_for("officer-nq").get(f"/requests/new/?unit={TQ_GRID}"))


def test_filing_with_attachments(client_for):
    data = _new_request()
    data["attachments"] = [
        SimpleUploadedFile("楼道.png", PNG, content_type="image/png"),
        SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    ]
    response = client_for("grid-nq").post("/requests/new/", data)
    assert response.status_code == 302
    event = Request.objects.get().events.get(kind=RequestEvent.Kind.FILED)
    assert sorted(a.name for a in event.attachments.all()) == ["楼道.png", "说明.pdf"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"text": "  "}, "请填写诉求内容"),
        ({"caller_phone": ""}, "请填写诉求人电话"),
        ({"caller_phone": "123"}, "诉求人电话有误"),
        ({"unit": TQ_GRID}, "请选择诉求所在的网格或社区"),
        ({"category": ""}, "请选择诉求类别"),
        ({"channel": "pigeon"}, "来源渠道无效"),
        (
            {
                "attachments": SimpleUploadedFile(
                    "a.exe", b"MZ\x90\x00", content_type="application/x-msdownload"
                )
            },
            "类型不支持",
        ),
        ({"attachments": SimpleUploadedFile("a.png", b"GIF89a", content_type="image/png")}, "内容与类型不符"),
    ],
)
def test_bad_filings_are_refused_in_chinese(client_for, extra, message):
    response = client_for("grid-nq").post("/requests/new/", _new_request(**extra))
    assert response.status_code == 400
    assert message in _body(response)
    assert not Request.objects.exists()


def test_a_district_files_by_unit_code(client_for):
    client = client_for("admin")
    body = _body(client.get("/requests/new/"))
    assert "请填写网格或社区编码" in body
    assert client.post("/requests/new/", _new_request(unit="310120.01")).status_code == 400
    assert client.post("/requests/new/", _new_request(unit=TQ_GRID)).status_code == 302
    assert Request.objects.get().unit_path == TQ_GRID


@pytest.mark.parametrize("username", ["auditor", "zhengzhi", "zhian"])
def test_people_who_do_not_file_in_units_get_403(client_for, username):
    client = client_for(username)
    assert client.get("/requests/new/").status_code == 403
    assert client.post("/requests/new/", _new_request()).status_code == 403
    assert not Request.objects.exists()


def _key_person(persona: Any) -> Any:
    from linli.care.services.key_persons import CategoryInput, key_person_enrol
    from linli.lib.idcard import make_id_number
    from linli.registry.models import Resident

    resident = Resident.objects.create(
        name="试赵老伯",
        document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1941, 3, 1), 17, "M"),
        residence_type="registered",
        phone="13800001111",
        phone_last4="1111",
        unit_path=NQ_GRID,
    )
    return key_person_enrol(
        actor=persona("officer-nq"),
        resident=resident,
        categories=[CategoryInput("living_alone")],
        responsible=persona("grid-nq"),
    )


def test_a_request_for_a_key_person(client_for, persona):
    key_person = _key_person(persona)
    client = client_for("grid-nq")
    url = f"/requests/new/?key_person={key_person.pk}"
    body = _body(client.get(url))
    assert "登记诉求：试赵老伯" in body
    assert 'name="caller_phone"' not in body
    data = _new_request(caller_name=None, caller_phone=None, unit=None, key_person=key_person.pk)
    response = client.post("/requests/new/", data)
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.key_person == key_person
    assert request.resident == key_person.resident
    assert request.caller_name == "试赵老伯"
    assert request.unit_path == NQ_GRID
    body = _body(client.get(response["Location"]))
    # From the request back to the person; the resident's own number, masked.
    assert f"/care/key-persons/{key_person.pk}/" in body
    assert "138****1111" in body and "13800001111" not in body
    # Someone else's key person is "not found".
    assert client_for("grid-tq").get(url).status_code == 404


# The request page.


@pytest.mark.parametrize("username", ["grid-nq", "squad-nq", "officer-nq", "nanqiao", "admin", "auditor"])
def test_the_request_page_in_scope_with_a_masked_phone(client_for, filed, username):
    response = client_for(username).get(f"/requests/{filed.pk}/")
    body = _body(response)
    assert response.status_code == 200
    assert filed.number in body
    assert CALLER in body
    assert "139****5678" in body
    assert CALLER_PHONE not in body
    assert "独居老人家中水管漏水" in body
    assert "办理经过" in body
    assert AuditEvent.objects.filter(
        action="request.view", object_id=str(filed.pk), actor_username=username
    ).exists()


@pytest.mark.parametrize("username", ["grid-tq", "touqiao", "zhian", "jingzhen", "zhengzhi", "angsu"])
def test_the_request_page_outside_scope_is_404(client_for, filed, username):
    client = client_for(username)
    assert client.get(f"/requests/{filed.pk}/").status_code == 404
    assert client.post(f"/requests/{filed.pk}/accept/", {"version": filed.version}).status_code == 404
    assert client.get("/requests/999999/").status_code == 404
    assert _fresh(filed).handler is None


def test_the_holder_sees_its_actions(client_for, filed):
    body = _body(client_for("grid-nq").get(f"/requests/{filed.pk}/"))
    for label in (
        "受理（由我承办）",
        "<summary>解决</summary>",
        "上报至新南居委",
        "移交主管部门",
        "补充说明或照片",
    ):
        assert label in body
    assert f'name="version" value="{filed.version}"' in body
    # Filed here: nothing below to send it back to; no hand-off yet, so no answer to record.
    assert "<summary>退回" not in body
    assert "录入主管部门答复" not in body


def test_the_auditor_reads_but_gets_no_buttons_and_403_on_post(client_for, filed):
    client = client_for("auditor")
    body = _body(client.get(f"/requests/{filed.pk}/"))
    assert 'id="act"' not in body
    assert "受理（由我承办）" not in body
    for action, data in (
        ("accept", {"version": filed.version}),
        ("escalate", {"version": filed.version, "reason": "x"}),
        ("note", {"note": "x"}),
    ):
        assert client.post(f"/requests/{filed.pk}/{action}/", data).status_code == 403
    assert _fresh(filed).version == filed.version
    assert filed.events.count() == 1


def test_units_that_do_not_hold_it_only_add_notes(client_for, filed):
    body = _body(client_for("nanqiao").get(f"/requests/{filed.pk}/"))
    assert "补充说明或照片" in body
    assert "受理（由我承办）" not in body
    response = client_for("nanqiao").post(
        f"/requests/{filed.pk}/escalate/", {"version": filed.version, "reason": "派出所替网格上报"}
    )
    assert response.status_code == 403
    assert _fresh(filed).holder_path == NQ_GRID


def test_accept_through_the_page(client_for, persona, filed):
    client = client_for("grid-nq")
    response = client.post(f"/requests/{filed.pk}/accept/", {"version": filed.version})
    assert response.status_code == 302
    assert _fresh(filed).handler == persona("grid-nq")
    body = _body(client.get(f"/requests/{filed.pk}/"))
    assert "已受理，该诉求由您承办" in body
    assert "受理（由我承办）" not in body
    assert body.count('class="mine kind-') == 2


def test_escalate_and_send_back_through_the_page(client_for, filed):
    response = client_for("grid-nq").post(
        f"/requests/{filed.pk}/escalate/", {"version": filed.version, "reason": "需要社区协调物业"}
    )
    assert response.status_code == 302
    request = _fresh(filed)
    assert request.holder_path == NQ_COMMUNITY
    officer = client_for("officer-nq")
    body = _body(officer.get(f"/requests/{filed.pk}/"))
    assert "需要社区协调物业" in body
    assert "→ 新南居委" in body
    assert "退回新南居委第一网格" in body
    response = officer.post(
        f"/requests/{filed.pk}/return/", {"version": request.version, "instructions": "请网格员先上门核实"}
    )
    assert response.status_code == 302
    assert _fresh(filed).holder_path == NQ_GRID
    assert "请网格员先上门核实" in _body(client_for("grid-nq").get(f"/requests/{filed.pk}/"))


def test_hand_off_and_the_answer(client_for, persona):
    request = _file(persona, category="price_gouging")
    client = client_for("grid-nq")
    body = _body(client.get(f"/requests/{request.pk}/"))
    assert 'value="区市场监督管理局"' in body
    response = client.post(
        f"/requests/{request.pk}/handoff/",
        {"version": request.version, "body": "区市场监督管理局", "note": "已电话告知"},
    )
    assert response.status_code == 302
    request = _fresh(request)
    body = _body(client.get(f"/requests/{request.pk}/"))
    assert "录入主管部门答复" in body
    response = client.post(
        f"/requests/{request.pk}/handoff_response/",
        {"version": request.version, "response": "已约谈商户，价格恢复"},
    )
    assert response.status_code == 302
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["handoff", "handoff_response"]
    assert "已约谈商户，价格恢复" in _body(client.get(f"/requests/{request.pk}/"))


def test_a_note_with_a_photo_and_who_may_open_it(client_for, persona, filed):
    client = client_for("grid-nq")
    response = client.post(
        f"/requests/{filed.pk}/note/",
        {
            "note": "已上门查看",
            "attachments": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    attachment = filed.events.get(kind="note").attachments.get()
    url = f"/requests/{filed.pk}/attachments/{attachment.pk}"
    assert url in _body(client.get(f"/requests/{filed.pk}/"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    for outsider in ("grid-tq", "touqiao", "zhian", "zhengzhi"):
        assert client_for(outsider).get(url).status_code == 404
    # The attachment of another request under a request the user sees is "not found" as well.
    other = _file(persona, text="另一条诉求")
    assert client.get(f"/requests/{other.pk}/attachments/{attachment.pk}").status_code == 404
    assert client_for("auditor").get(url).status_code == 200


def test_a_pdf_is_downloaded_not_shown(client_for, filed):
    client_for("grid-nq").post(
        f"/requests/{filed.pk}/note/",
        {
            "note": "材料",
            "attachments": [SimpleUploadedFile("材料.pdf", b"%PDF-1.4 x", content_type="application/pdf")],
        },
    )
    attachment = filed.events.get(kind="note").attachments.get()
    response = client_for("grid-nq").get(f"/requests/{filed.pk}/attachments/{attachment.pk}")
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_solve_shows_the_rating_link_and_its_qr(client_for, filed, settings):
    client = client_for("grid-nq")
    response = client.post(f"/requests/{filed.pk}/solve/", {"version": filed.version, "solution": "已修好"})
    assert response.status_code == 302
    request = _fresh(filed)
    assert request.state == Request.State.SOLVED
    body = _body(client.get(f"/requests/{filed.pk}/"))
    assert f"http://testserver/r/{request.rating_token}" in body
    assert re.search(r"<svg viewBox=\"0 0 \d+ \d+\" xmlns=\"http://www.w3.org/2000/svg\"", body)
    assert "已解决待回访" in body
    assert "回访办结" in body
    settings.LINLI_PUBLIC_BASE_URL = "https://linli.example.cn/"
    body = _body(client.get(f"/requests/{filed.pk}/"))
    assert f"https://linli.example.cn/r/{request.rating_token}" in body
    # Nobody outside the request's units sees the link.
    assert request.rating_token
    assert request.rating_token not in _body(client_for("auditor").get(f"/requests/{filed.pk}/"))


def test_close_with_the_residents_satisfaction(client_for, persona, filed):
    request = _solve(persona, filed)
    client = client_for("squad-nq")
    response = client.post(
        f"/requests/{filed.pk}/close/",
        {"version": request.version, "satisfaction": "9", "method": "callback"},
    )
    assert response.status_code == 400
    assert "请选择1到5分的满意度" in _body(response)
    response = client.post(
        f"/requests/{filed.pk}/close/",
        {"version": request.version, "satisfaction": "4", "comment": "很及时", "method": "callback"},
    )
    assert response.status_code == 302
    request = _fresh(filed)
    assert (request.state, request.satisfaction, request.feedback_method) == ("closed", 4, "callback")
    body = _body(client.get(f"/requests/{filed.pk}/"))
    assert "已办结" in body
    assert "4 分" in body
    assert 'id="act"' not in body


def test_the_solver_cannot_make_the_callback(client_for, persona, filed):
    request = _solve(persona, filed)
    response = client_for("grid-nq").post(
        f"/requests/{filed.pk}/close/",
        {"version": request.version, "satisfaction": "5", "method": "callback"},
    )
    assert response.status_code == 400
    assert "电话回访须由办理人以外的人员进行" in _body(response)
    assert _fresh(filed).state == Request.State.SOLVED


def test_a_stale_page_gets_the_conflict_message_and_writes_nothing(client_for, persona, filed):
    stale = filed.version
    _escalate(persona, "grid-nq", filed)
    request = _fresh(filed)
    events = request.events.count()
    response = client_for("officer-nq").post(
        f"/requests/{filed.pk}/solve/", {"version": stale, "solution": "已办"}
    )
    body = _body(response)
    assert response.status_code == 409
    assert "该诉求刚被他人处理过，请刷新后查看最新情况再操作" in body
    # The page shows the request as it is now, with the fresh version in its forms.
    assert f'name="version" value="{request.version}"' in body
    assert _fresh(filed).state == Request.State.OPEN
    assert _fresh(filed).version == request.version
    assert request.events.count() == events


def test_a_post_without_a_version_is_refused(client_for, filed):
    response = client_for("grid-nq").post(f"/requests/{filed.pk}/accept/", {})
    assert response.status_code == 409
    assert "页面已过期，请刷新后再操作" in _body(response)
    assert _fresh(filed).handler is None


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("escalate", {"reason": " "}, "请填写上报原因"),
        ("return", {"instructions": "请核实"}, "没有可退回的下级"),
        ("solve", {"solution": ""}, "请填写办理结果"),
        ("handoff_response", {"response": "已答复"}, "尚未移交主管部门"),
        ("note", {"note": ""}, "请填写说明"),
    ],
)
def test_bad_actions_are_refused_in_chinese(client_for, filed, action, data, message):
    response = client_for("grid-nq").post(
        f"/requests/{filed.pk}/{action}/", {"version": filed.version, **data}
    )
    assert response.status_code == 400
    assert message in _body(response)
    assert _fresh(filed).version == filed.version
    assert filed.events.count() == 1


def test_an_unknown_action_is_404(client_for, filed):
    assert client_for("grid-nq").post(f"/requests/{filed.pk}/delete/", {"version": 1}).status_code == 404
    assert client_for("grid-nq").get(f"/requests/{filed.pk}/accept/").status_code == 405


# The resident's rating link.


def test_the_resident_rates_once_and_sees_nothing_personal(persona, filed):
    request = _solve(persona, filed)
    client = Client()
    url = f"/r/{request.rating_token}"
    response = client.get(url)
    body = _body(response)
    assert response.status_code == 200
    assert request.number in body
    assert "代购代办" in body
    assert "已联系物业当天修好" in body
    for private in (CALLER, CALLER_PHONE, "139****5678", "独居老人", "郝", persona("grid-nq").display_name):
        assert private not in body
    assert response["Referrer-Policy"] == "same-origin"
    response = client.post(url, {"satisfaction": "0"})
    assert response.status_code == 400
    assert "请选择1到5分的满意度" in _body(response)
    response = client.post(url, {"satisfaction": "5", "comment": "谢谢网格员"})
    assert response.status_code == 200
    assert "谢谢您的评价" in _body(response)
    request = _fresh(filed)
    assert (request.state, request.satisfaction, request.feedback_method) == ("closed", 5, "link")
    again = client.get(url)
    assert again.status_code == 404
    assert "评价链接无效或已使用" in _body(again)
    assert client.post(url, {"satisfaction": "1"}).status_code == 404
    assert _fresh(filed).satisfaction == 5
    assert client.get("/r/not-a-token").status_code == 404


# The public intake page of a grid.


def _answer(question: str) -> str:
    a, b = (int(n) for n in re.findall(r"\d+", question))
    return str(a + b)


def _ask(**extra: Any) -> dict[str, Any]:
    challenge = challenge_new(now=time.time() - 10)
    data = {
        "category": RequestCategory.objects.get(code="dispute").pk,
        "text": "楼上每天半夜噪音很大",
        "caller_name": "周女士",
        "caller_phone": "13700001234",
        "place_text": "某小区5号楼",
        "website": "",
        "challenge": challenge.token,
        "answer": _answer(challenge.question),
    }
    data.update(extra)
    return data


def test_a_resident_files_on_the_grid_page(client, filed):
    response = client.get(f"/g/{NQ_GRID}/ask")
    body = _body(response)
    assert response.status_code == 200
    assert "新南居委第一网格" in body
    assert "验证问题：" in body
    # Nothing about anyone: not the grid's requests, callers or staff.
    for private in (CALLER, CALLER_PHONE, filed.number, "郝"):
        assert private not in body
    response = client.post(f"/g/{NQ_GRID}/ask", _ask())
    body = _body(response)
    assert response.status_code == 200
    request = Request.objects.exclude(pk=filed.pk).get()
    assert request.number in body
    assert (request.channel, request.unit_path, request.created_by) == ("public", NQ_GRID, None)
    assert request.caller_phone == "13700001234"
    assert "周女士" not in body and "13700001234" not in body


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"answer": "99"}, "验证问题回答错误"),
        ({"answer": ""}, "请回答验证问题"),
        ({"challenge": "forged"}, "验证问题无效"),
        ({"website": "http://spam.example"}, "提交未成功"),
        ({"caller_phone": ""}, "请填写联系电话"),
        ({"caller_phone": "12345"}, "诉求人电话有误"),
        ({"text": ""}, "请填写诉求内容"),
    ],
)
def test_the_grid_page_refuses_bad_or_robotic_filings(client, extra, message):
    response = client.post(f"/g/{NQ_GRID}/ask", _ask(**extra))
    assert response.status_code == 400
    assert message in _body(response)
    assert not Request.objects.exists()


def test_answers_given_too_fast_or_too_late_are_refused(client):
    body = _body(client.get(f"/g/{NQ_GRID}/ask"))
    token = re.search(r'name="challenge" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    question = re.search(r"验证问题：([^<]+)", body).group(1)  # type: ignore[union-attr]
    response = client.post(f"/g/{NQ_GRID}/ask", _ask(challenge=token, answer=_answer(question)))
    assert response.status_code == 400
    assert "提交太快了" in _body(response)
    old = challenge_new(now=time.time() - 31 * 60)
    response = client.post(f"/g/{NQ_GRID}/ask", _ask(challenge=old.token, answer=_answer(old.question)))
    assert "验证问题已超过30分钟" in _body(response)
    assert not Request.objects.exists()


def test_one_answer_files_once(client):
    data = _ask()
    assert client.post(f"/g/{NQ_GRID}/ask", data).status_code == 200
    response = client.post(f"/g/{NQ_GRID}/ask", data)
    assert response.status_code == 400
    assert "该验证问题已使用" in _body(response)
    assert Request.objects.count() == 1


def test_the_grid_page_is_rate_limited_per_address(client):
    for _ in range(FILINGS_PER_HOUR):
        assert client.post(f"/g/{NQ_GRID}/ask", _ask()).status_code == 200
    response = client.post(f"/g/{NQ_GRID}/ask", _ask())
    assert response.status_code == 400
    assert "每小时最多提交5条诉求" in _body(response)
    assert Request.objects.count() == FILINGS_PER_HOUR
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(f"/g/{NQ_GRID}/ask", _ask()).status_code == 200


@pytest.mark.parametrize("code", [NQ_COMMUNITY, "310120.01", "310120", ZHIAN, JINGZHEN, "nowhere"])
def test_only_grids_have_a_public_page(client, code):
    assert client.get(f"/g/{code}/ask").status_code == 404
    assert client.post(f"/g/{code}/ask", _ask()).status_code == 404


def test_an_inactive_grid_has_no_public_page(client):
    Unit.objects.filter(path=NQ_GRID).update(is_active=False)
    assert client.get(f"/g/{NQ_GRID}/ask").status_code == 404


# Typical cases.


def test_the_political_department_picks_typical_cases_without_personal_data(client_for, persona, filed):
    request = _solve(persona, filed)
    client = client_for("zhengzhi")
    body = _body(client.get("/requests/typical/"))
    assert "代购代办" in body
    assert "新南居委" in body
    assert "已联系物业当天修好" in body
    for private in (CALLER, CALLER_PHONE, "139****5678", "独居老人家中水管漏水", request.number):
        assert private not in body
    url = f"/requests/typical/{request.pk}/"
    body = _body(client.get(url))
    assert CALLER not in body and "独居老人" not in body
    response = client.post(url, {"title": "漏水当天修好", "writeup": "王阿姨家漏水，当天修好"})
    assert response.status_code == 400
    assert "案例材料中不能出现诉求人姓名" in _body(response)
    response = client.post(url, {"title": "", "writeup": "x"})
    assert "请填写案例标题" in _body(response)
    response = client.post(
        url, {"title": "漏水当天修好", "writeup": "某某阿姨家水管漏水，网格员当天联系物业修好。"}
    )
    assert response.status_code == 302
    assert _fresh(filed).is_typical
    body = _body(client.get("/requests/typical/"))
    assert "已列为典型" in body
    # Published: title and write-up, for everyone signed in to the district.
    cases = _body(client_for("grid-tq").get("/requests/cases/"))
    assert "漏水当天修好" in cases
    assert "某某阿姨家水管漏水" in cases
    assert CALLER not in cases and CALLER_PHONE not in cases
    assert "漏水当天修好" not in _body(client_for("angsu").get("/requests/cases/"))


@pytest.mark.parametrize("username", ["grid-nq", "nanqiao", "admin", "auditor", "zhian"])
def test_only_the_political_department_picks_typical_cases(client_for, persona, filed, username):
    request = _solve(persona, filed)
    client = client_for(username)
    assert client.get("/requests/typical/").status_code == 403
    assert client.get(f"/requests/typical/{request.pk}/").status_code == 403
    assert client.post(f"/requests/typical/{request.pk}/", {"title": "t", "writeup": "w"}).status_code == 403
    assert not _fresh(filed).is_typical


def test_open_requests_are_not_typical_candidates(client_for, filed):
    assert client_for("zhengzhi").get(f"/requests/typical/{filed.pk}/").status_code == 404


# The key person page.


def test_the_key_person_page_links_its_requests(client_for, persona):
    from linli.care.services.contacts import contact_log

    key_person = _key_person(persona)
    contact = contact_log(
        actor=persona("grid-nq"),
        key_person=key_person,
        occurred_at=timezone.now(),
        kind="visit",
        needs_found="需要代购降压药",
    )
    request = Request.objects.get(contact=contact)
    body = _body(client_for("grid-nq").get(f"/care/key-persons/{key_person.pk}/"))
    assert f'href="/requests/{request.pk}/"' in body
    assert f"诉求{request.number}" in body
    assert f'href="/requests/new/?key_person={key_person.pk}"' in body
    assert f'href="/requests/new/?key_person={key_person.pk}"' not in _body(
        client_for("auditor").get(f"/care/key-persons/{key_person.pk}/")
    )


# Weight.


def test_the_pages_are_light_enough_for_a_slow_phone(client_for, persona, filed):
    static = Path(settings.BASE_DIR) / "static"
    assets = (static / "linli" / "linli.css").stat().st_size + (
        static / "vendor" / "htmx.min.js"
    ).stat().st_size
    for n in range(40):
        _file(persona, text=f"第{n}条：" + "楼道灯坏了需要维修" * 6)
    _solve(persona, filed)
    for username, url in (
        ("grid-nq", "/requests/?queue=all"),
        ("nanqiao", "/requests/new/"),
        ("grid-nq", f"/requests/{filed.pk}/"),
        ("zhengzhi", "/requests/typical/"),
        ("grid-nq", "/requests/cases/"),
    ):
        response = client_for(username).get(url)
        assert response.status_code == 200, url
        assert len(response.content) + assets < MAX_PAGE_BYTES, url
        assert 'name="viewport" content="width=device-width' in _body(response)
    assert len(Client().get(f"/g/{NQ_GRID}/ask").content) + assets < MAX_PAGE_BYTES


def test_page_queries_do_not_grow_with_rows(client_for, persona, filed, django_assert_max_num_queries):
    client = client_for("grid-nq")
    for n in range(12):
        request_note(actor=persona("grid-nq"), request=filed, note=f"第{n}次跟进")
        _file(persona, text=f"另一条{n}")
    _escalate(persona, "grid-nq", filed)
    officer = client_for("officer-nq")
    # The holder's page, with every action offered.
    with django_assert_max_num_queries(20):
        assert officer.get(f"/requests/{filed.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/requests/?queue=all").status_code == 200


def test_a_touqiao_request_climbs_to_jingzhen_through_the_pages(client_for):
    grid = client_for("grid-tq")
    response = grid.post("/requests/new/", _new_request(unit=TQ_GRID, text="药店退烧药价格翻倍"))
    assert response.status_code == 302
    request = Request.objects.get()
    assert client_for("grid-nq").get(f"/requests/{request.pk}/").status_code == 404
    assert client_for("officer-nq").get(f"/requests/{request.pk}/").status_code == 404
    grid.post(f"/requests/{request.pk}/escalate/", {"version": request.version, "reason": "网格无法处理"})
    officer = client_for("mj-310120-09-001")
    assert request.number in _body(officer.get("/requests/?queue=escalated"))
    assert "上报至头桥派出所" in _body(officer.get(f"/requests/{request.pk}/"))
    officer.post(
        f"/requests/{request.pk}/escalate/", {"version": _fresh(request).version, "reason": "需派出所协调"}
    )
    station = client_for("touqiao")
    assert "上报至经侦支队" in _body(station.get(f"/requests/{request.pk}/"))
    station.post(
        f"/requests/{request.pk}/escalate/", {"version": _fresh(request).version, "reason": "涉嫌哄抬物价"}
    )
    assert _fresh(request).holder_path == JINGZHEN
    department = client_for("jingzhen")
    assert request.number in _body(department.get("/requests/?queue=escalated"))
    body = _body(department.get(f"/requests/{request.pk}/"))
    assert "退回头桥派出所" in body
    assert "139****5678" in body
    assert client_for("zhian").get(f"/requests/{request.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("field", "what", "limit", "open311_name"),
    [
        ("text", "诉求内容", 2000, "description"),
        ("caller_name", "诉求人姓名", 50, "last_name"),
        ("caller_phone", "诉求人电话", 30, "phone"),
        ("place_text", "地点说明", 200, "address_string"),
    ],
)
def test_too_long_text_is_refused_alike_by_the_page_the_api_open311_and_the_service(
    client_for, api_for, persona, field, what, limit, open311_name
):
    import json

    from linli.accounts.services.api_tokens import api_token_issue
    from linli.core.errors import ServiceError

    message = f"{what}最多 {limit} 字"
    value = ("1" if field == "caller_phone" else "长") * (limit + 1)
    page = client_for("grid-nq").post("/requests/new/", _new_request(**{field: value}))
    assert page.status_code == 400 and message in _body(page)
    body = {
        "category": "errands",
        "channel": "visit",
        "text": "水管漏水",
        "unit": NQ_GRID,
        "caller_phone": "13912345678",
    }
    api = api_for("grid-nq").post(
        "/api/v1/requests", json.dumps({**body, field: value}), content_type="application/json"
    )
    assert api.status_code == 422, api.content.decode()
    assert api.json() == {"detail": message, "errors": [{"loc": ["body", field], "msg": message}]}
    form = {
        "api_key": api_token_issue(user=persona("grid-nq")),
        "service_code": "errands",
        "description": "水管漏水",
        "attribute[grid]": NQ_GRID,
        "phone": "13912345678",
        open311_name: value,
    }
    open311 = Client().post("/open311/v2/requests.json", form)
    assert (open311.status_code, open311.json()) == (400, [{"code": 400, "description": message}])
    service = {"text": "水管漏水", "caller_name": "", "caller_phone": "13912345678", "place_text": ""}
    with pytest.raises(ServiceError, match=message):
        request_file(
            actor=persona("grid-nq"),
            category=RequestCategory.objects.get(code="errands"),
            channel=Channel.VISIT,
            unit=Unit.objects.get(path=NQ_GRID),
            **{**service, field: value},
        )
    assert not Request.objects.exists()
