"""Resident search, detail, reveal and address pages over HTTP, per persona: allowed, 403, 404, masking."""

from __future__ import annotations

from datetime import date

import pytest

from linli.audit.models import AuditEvent
from linli.conftest import NANQIAO, NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.core.errors import ServiceError
from linli.core.masking import age_of
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Address, Resident
from linli.registry.selectors.residents import resident_reveal

pytestmark = pytest.mark.django_db

# Distinctive names: a prefix search for 试 finds these and nothing the demo might add.
ZHANG_ID = make_id_number("310120", date(1990, 1, 1), 123, "M")
LI_ID = make_id_number("310120", date(1985, 2, 2), 456, "F")
WANG_ID = make_id_number("310120", date(1970, 3, 3), 457, "M")


def make_people() -> dict[str, Resident]:
    """Residents in grid-nq's grid (with a standard address), in the next 南桥 grid and in 头桥."""
    address = Address.objects.create(
        code="T-310120.01-1",
        station_path=NANQIAO,
        key="育秀路|100弄|12号|401室",
        grid=Unit.objects.get(code=NQ_GRID),
        unit_path=NQ_GRID,
        locality="育秀路",
        lane="100弄",
        number="12号",
        room="401室",
        full_text="育秀路100弄12号401室",
    )

    def make(name: str, path: str, id_number: str, phone: str, **extra: object) -> Resident:
        return Resident.objects.create(
            name=name, document_kind="id_card", id_number=id_number, phone=phone, phone_last4=phone[-4:],
            residence_type="registered", unit_path=path, birth_date=date(int(id_number[6:10]), 1, 1),
            sex="M" if int(id_number[16]) % 2 else "F", **extra,
        )  # fmt: skip

    return {
        "zhang": make("试张一", NQ_GRID, ZHANG_ID, "13812345678", address=address, household_number="H001"),
        "li": make("试李二", NQ_GRID_2, LI_ID, "13987655678"),
        "wang": make("试王三", TQ_GRID, WANG_ID, "13700005678"),
    }


@pytest.fixture
def people() -> dict[str, Resident]:
    return make_people()


def test_registry_pages_require_login(client, people):
    urls = ["/residents/", f"/residents/{people['zhang'].pk}/", f"/addresses/{people['zhang'].address_id}/"]
    for url in [*urls, "/imports/", "/imports/new/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert client.post(f"/residents/{people['zhang'].pk}/reveal/", {"reason": "走访"}).status_code == 302
    assert not AuditEvent.objects.filter(action__startswith="resident.").exists()


# Search.


@pytest.mark.parametrize(
    ("username", "found", "absent"),
    [
        ("grid-nq", {"试张一"}, {"试李二", "试王三"}),
        ("squad-nq", {"试张一"}, {"试李二", "试王三"}),
        ("officer-nq", {"试张一", "试李二"}, {"试王三"}),
        ("nanqiao", {"试张一", "试李二"}, {"试王三"}),
        ("auditor", {"试张一", "试李二", "试王三"}, set()),
        ("grid-tq", {"试王三"}, {"试张一", "试李二"}),
        ("zhian", set(), {"试张一", "试李二", "试王三"}),  # a department sees no population
        ("angsu", set(), {"试张一", "试李二", "试王三"}),
    ],
)
def test_name_search_is_scoped_and_masked(client_for, people, username, found, absent):
    response = client_for(username).get("/residents/", {"name": "试"})
    body = response.content.decode()
    assert response.status_code == 200
    for name in found:
        assert name in body
    for name in absent:
        assert name not in body
    for resident in people.values():
        assert resident.id_number not in body
        assert resident.phone not in body
    if "试张一" in found:
        assert f"{ZHANG_ID[:6]}********{ZHANG_ID[-4:]}" in body
        assert "138****5678" in body


def test_department_user_is_told_why_the_search_is_empty(client_for, people):
    body = client_for("zhian").get("/residents/").content.decode()
    assert "您的工作范围不含实有人口数据" in body
    assert "您的工作范围不含" not in client_for("grid-nq").get("/residents/").content.decode()


def test_search_by_the_last_four_digits_of_a_phone(client_for, people):
    body = client_for("nanqiao").get("/residents/", {"phone_last4": "５６７８"}).content.decode()
    assert "试张一" in body
    assert "试李二" in body
    assert "试王三" not in body
    assert "查询结果（2）" in body


def test_search_without_terms_or_with_bad_digits_explains_in_chinese(client_for, people):
    client = client_for("nanqiao")
    assert (
        "请输入姓名或电话后四位"
        in client.get("/residents/", {"name": "", "phone_last4": ""}).content.decode()
    )
    assert "请输入电话号码的后四位数字" in client.get("/residents/", {"phone_last4": "12a"}).content.decode()
    first = client.get("/residents/").content.decode()
    assert "查询结果" not in first
    assert "请输入" not in first


def test_search_by_id_number_is_a_post_and_the_page_does_not_echo_it(client_for, people):
    client = client_for("grid-nq")
    spaced = f"{ZHANG_ID[:6]} {ZHANG_ID[6:14]} {ZHANG_ID[14:]}".lower()
    response = client.post("/residents/", {"id_number": spaced})
    body = response.content.decode()
    assert response.status_code == 200
    assert "试张一" in body
    assert ZHANG_ID not in body
    assert f"{ZHANG_ID[:6]}********{ZHANG_ID[-4:]}" in body
    # A number outside the user's scope finds nothing.
    assert "试李二" not in client.post("/residents/", {"id_number": LI_ID}).content.decode()


def test_id_number_in_a_url_is_refused(client_for, people):
    response = client_for("grid-nq").get("/residents/", {"id_number": ZHANG_ID})
    body = response.content.decode()
    assert response.status_code == 400
    assert "身份证号不能放在网址中" in body
    assert "试张一" not in body


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (ZHANG_ID[:17] + ("0" if ZHANG_ID[17] != "0" else "1"), "校验位错误"),
        ("31012019900230123X", "出生日期不存在"),
        ("3101201990", "身份证号应为18位"),
        ("", "请输入身份证号"),
    ],
)
def test_a_bad_id_number_gets_its_chinese_error(client_for, people, typed, message):
    body = client_for("nanqiao").post("/residents/", {"id_number": typed}).content.decode()
    assert message in body
    assert "查询结果" not in body


def test_search_results_are_paginated_with_the_terms_kept(client_for, people):
    for i in range(55):
        Resident.objects.create(
            name=f"试翻页{i:02d}", document_kind="none", residence_type="floating", unit_path=NQ_GRID
        )
    client = client_for("grid-nq")
    first = client.get("/residents/", {"name": "试翻页"}).content.decode()
    assert "第 1 / 2 页" in first
    assert "?name=%E8%AF%95%E7%BF%BB%E9%A1%B5&amp;page=2" in first
    second = client.get("/residents/", {"name": "试翻页", "page": "2"}).content.decode()
    assert "试翻页54" in second
    assert "试翻页00" not in second


# Detail and reveal.


def test_detail_shows_masked_numbers_and_is_audited(client_for, people):
    zhang = people["zhang"]
    response = client_for("grid-nq").get(f"/residents/{zhang.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert ZHANG_ID not in body
    assert "13812345678" not in body
    assert f"{ZHANG_ID[:6]}********{ZHANG_ID[-4:]}" in body
    assert "138****5678" in body
    # Age, not the birth date: the masked digits are the birth date.
    assert "1990年1月1日" not in body
    assert f"{age_of(date(1990, 1, 1))}周岁" in body
    assert "户籍" in body
    assert "H001" in body
    assert f'href="/addresses/{zhang.address_id}/"' in body
    assert 'hx-post="/residents/' in body  # the reveal form
    event = AuditEvent.objects.get(action="resident.view")
    assert (event.actor_username, event.object_id, event.unit_path) == ("grid-nq", str(zhang.pk), NQ_GRID)


@pytest.mark.parametrize(
    ("username", "who"),
    [
        ("grid-tq", "zhang"),
        ("zhian", "zhang"),
        ("jingzhen", "wang"),
        ("grid-nq", "li"),  # the next grid of the same community
        ("touqiao", "li"),
        ("angsu", "wang"),
    ],
)
def test_detail_outside_scope_is_404_and_not_audited(client_for, people, username, who):
    response = client_for(username).get(f"/residents/{people[who].pk}/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    assert not AuditEvent.objects.filter(action="resident.view").exists()


def test_a_missing_resident_is_the_same_404(client_for):
    assert client_for("admin").get("/residents/987654321/").status_code == 404


def test_auditor_reads_the_detail_without_a_reveal_form(client_for, people):
    body = client_for("auditor").get(f"/residents/{people['zhang'].pk}/").content.decode()
    assert "试张一" in body
    assert "查看完整号码" not in body


def test_reveal_returns_the_full_numbers_for_a_reason_and_audits_it(client_for, people):
    zhang = people["zhang"]
    response = client_for("grid-nq").post(
        f"/residents/{zhang.pk}/reveal/", {"reason": "入户走访需电话联系"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "<html" not in body  # a fragment for htmx
    assert ZHANG_ID in body
    assert 'href="tel:13812345678"' in body
    assert "1990年1月1日" in body  # with the full number revealed, its birth date may be shown
    event = AuditEvent.objects.get(action="resident.reveal")
    assert (event.actor_username, event.object_id, event.reason) == (
        "grid-nq",
        str(zhang.pk),
        "入户走访需电话联系",
    )
    assert ZHANG_ID not in str(event.detail)
    # One event stands for the whole read: no separate resident.view.
    assert not AuditEvent.objects.filter(action="resident.view", object_id=str(zhang.pk)).exists()


def test_reveal_without_htmx_renders_the_whole_page(client_for, people):
    body = client_for("nanqiao").post(f"/residents/{people['li'].pk}/reveal/", {"reason": "核对户籍"}).content
    text = body.decode()
    assert "<html" in text
    assert LI_ID in text
    assert "试李二" in text


def test_reveal_needs_a_reason(client_for, people):
    response = client_for("grid-nq").post(
        f"/residents/{people['zhang'].pk}/reveal/", {"reason": "  "}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写查看完整号码的事由" in body
    assert ZHANG_ID not in body
    assert not AuditEvent.objects.filter(action="resident.reveal").exists()


def test_a_reveal_reason_too_long_is_refused_in_the_same_words_by_the_page_and_the_service(
    client_for, people, persona
):
    response = client_for("nanqiao").post(
        f"/residents/{people['zhang'].pk}/reveal/", {"reason": "走" * 201}, headers={"HX-Request": "true"}
    )
    assert "最多 200 字" in response.content.decode()
    with pytest.raises(ServiceError, match="最多 200 字"):
        resident_reveal(user=persona("nanqiao"), resident_id=people["zhang"].pk, reason="走" * 201)
    assert not AuditEvent.objects.filter(action="resident.reveal").exists()


@pytest.mark.parametrize("username", ["auditor"])
def test_reveal_is_403_for_read_only_roles(client_for, people, username):
    response = client_for(username).post(f"/residents/{people['zhang'].pk}/reveal/", {"reason": "核查"})
    assert response.status_code == 403
    assert ZHANG_ID not in response.content.decode()
    assert not AuditEvent.objects.filter(action="resident.reveal").exists()


@pytest.mark.parametrize(("username", "who"), [("zhian", "zhang"), ("grid-tq", "zhang"), ("grid-nq", "li")])
def test_reveal_outside_scope_is_404(client_for, people, username, who):
    response = client_for(username).post(f"/residents/{people[who].pk}/reveal/", {"reason": "核查"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="resident.reveal").exists()


def test_reveal_is_post_only(client_for, people):
    assert client_for("grid-nq").get(f"/residents/{people['zhang'].pk}/reveal/").status_code == 405


# Address page.


def test_address_page_lists_who_lives_there_masked(client_for, people, django_assert_max_num_queries):
    zhang = people["zhang"]
    Resident.objects.create(
        name="试张小", document_kind="none", residence_type="registered", unit_path=NQ_GRID,
        address=zhang.address, household_number="H001", relation_to_head="子",
    )  # fmt: skip
    client = client_for("grid-nq")
    with django_assert_max_num_queries(12):
        response = client.get(f"/addresses/{zhang.address_id}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "育秀路100弄12号401室" in body
    assert "居住人员（2）" in body
    assert "试张一" in body
    assert "试张小" in body
    assert ZHANG_ID not in body
    assert "13812345678" not in body
    assert "138****5678" in body


@pytest.mark.parametrize("username", ["grid-tq", "zhian", "touqiao", "angsu"])
def test_address_page_outside_scope_is_404(client_for, people, username):
    assert client_for(username).get(f"/addresses/{people['zhang'].address_id}/").status_code == 404


def test_nav_links_to_the_resident_search(client_for):
    body = client_for("grid-nq").get("/residents/").content.decode()
    assert '<a href="/residents/" aria-current="page">人口</a>' in body
