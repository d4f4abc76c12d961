"""The ladder end to end with the demo's personas (S3, S4): filing, escalation through the liaison
department, sending back, deadlines, conflicts, closure and satisfaction, typical cases."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linli.conftest import JINGZHEN, NQ_COMMUNITY, NQ_GRID, TOUQIAO, TQ_GRID, ZHIAN
from linli.core.errors import ServiceError
from linli.needs.models import Channel, Request, RequestCategory, RequestEvent, RequestHold
from linli.needs.selectors.requests import get_request_for_user, request_queue, requests_visible_to
from linli.needs.services.ratings import request_rate_by_link
from linli.needs.services.requests import (
    ChangedByOthers,
    request_accept,
    request_close,
    request_escalate,
    request_file,
    request_return,
    request_solve,
    requests_escalate_overdue,
)
from linli.needs.services.typical_cases import request_mark_typical
from linli.notify.models import Notification
from linli.org.models import Unit

pytestmark = pytest.mark.django_db

TQ_COMMUNITY = "310120.09.001"


def _file(persona, username: str, grid: str, **extra):
    return request_file(
        actor=persona(username),
        category=RequestCategory.objects.get(code=extra.pop("category", "errands")),
        channel=Channel.VISIT,
        text=extra.pop("text", "独居老人家中水管漏水，需要帮忙联系维修"),
        unit=Unit.objects.get(path=grid),
        caller_name="王阿姨",
        caller_phone="13912345678",
        **extra,
    )


def _escalate(persona, username: str, request: Request, reason: str = "本级无法解决") -> Request:
    return request_escalate(actor=persona(username), request=request, version=request.version, reason=reason)


def test_a_touqiao_request_climbs_to_jingzhen_not_zhian(persona):
    request = _file(persona, "grid-tq", TQ_GRID)
    assert request.holder_path == TQ_GRID
    assert request.deadline_at > timezone.now()

    request = _escalate(persona, "grid-tq", request)
    assert request.holder_path == TQ_COMMUNITY
    request = _escalate(persona, f"mj-{TQ_COMMUNITY.replace('.', '-')}", request)
    assert request.holder_path == TOUQIAO
    request = _escalate(persona, "touqiao", request, "涉及经济纠纷，需经侦支队协调")
    assert request.holder_path == JINGZHEN
    assert request.escalations == 3

    # The department sees it and acts on it; the other department gets a 404.
    assert get_request_for_user(persona("jingzhen"), request.pk).pk == request.pk
    with pytest.raises(Http404):
        get_request_for_user(persona("zhian"), request.pk)
    assert not requests_visible_to(user=persona("zhian")).filter(pk=request.pk).exists()
    assert request in request_queue(user=persona("jingzhen"), queue="escalated")

    # Above the department: the district office, and nothing above that.
    request = _escalate(persona, "jingzhen", request)
    assert request.holder.kind == Unit.Kind.DISTRICT
    with pytest.raises(ServiceError, match="已到区级"):
        _escalate(persona, "admin", request)

    route = list(
        RequestHold.objects.filter(request=request).order_by("since", "id").values_list("unit__path", "until")
    )
    assert [p for p, _ in route] == [TQ_GRID, TQ_COMMUNITY, TOUQIAO, JINGZHEN, "310120"]
    assert all(until is not None for _, until in route[:-1]) and route[-1][1] is None
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["filed", "escalated", "escalated", "escalated", "escalated"]
    # Each new holder is told.
    assert Notification.objects.filter(recipient=persona("jingzhen"), text__contains=request.number).exists()


def test_a_nanqiao_request_reaches_zhian(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    request = _escalate(persona, "grid-nq", request)
    assert request.holder_path == NQ_COMMUNITY
    request = _escalate(persona, "officer-nq", request)
    request = _escalate(persona, "nanqiao", request)
    assert request.holder_path == ZHIAN
    assert get_request_for_user(persona("zhian"), request.pk)
    with pytest.raises(Http404):
        get_request_for_user(persona("jingzhen"), request.pk)
    # The grid worker who filed it still follows it; the other station does not see it.
    assert get_request_for_user(persona("grid-nq"), request.pk)
    with pytest.raises(Http404):
        get_request_for_user(persona("touqiao"), request.pk)


def test_only_the_holder_acts(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    # The station sees it but waits for it to be escalated; read-only personas cannot act.
    for username in ("nanqiao", "auditor", "officer-nq"):
        with pytest.raises(PermissionDenied):
            _escalate(persona, username, request)
    # The district office may take over anything in its district.
    request = request_accept(actor=persona("admin"), request=request, version=request.version)
    assert request.handler == persona("admin")


def test_send_back_goes_to_the_unit_that_escalated(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    request = _escalate(persona, "grid-nq", request)
    request = _escalate(persona, "officer-nq", request)
    with pytest.raises(ServiceError, match="退回意见"):
        request_return(actor=persona("nanqiao"), request=request, version=request.version, instructions=" ")
    request = request_return(
        actor=persona("nanqiao"),
        request=request,
        version=request.version,
        instructions="请社区先联系物业处理",
    )
    assert request.holder_path == NQ_COMMUNITY
    assert request.handler is None
    # Sent back again, it reaches the grid where it was filed; the grid cannot send it further down.
    request = request_return(
        actor=persona("officer-nq"), request=request, version=request.version, instructions="请网格员上门核实"
    )
    assert request.holder_path == NQ_GRID
    with pytest.raises(ServiceError, match="没有可退回的下级"):
        request_return(actor=persona("grid-nq"), request=request, version=request.version, instructions="x")


def test_a_stale_version_is_refused_and_nothing_is_written(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    stale = request.version
    _escalate(persona, "grid-nq", request)
    events = request.events.count()
    with pytest.raises(ChangedByOthers, match="刚被他人处理过"):
        request_escalate(actor=persona("grid-nq"), request=request, version=stale, reason="again")
    assert request.events.count() == events
    assert Request.objects.get(pk=request.pk).escalations == 1


def test_deadline_expiry_escalates_once(persona):
    request = _file(persona, "grid-tq", TQ_GRID, category="green_channel")
    # Medical transport: two hours a level, whatever the urgency.
    assert request.deadline_at - request.held_since == datetime.timedelta(hours=2)
    later = request.deadline_at + datetime.timedelta(minutes=1)
    assert requests_escalate_overdue(now=later) >= 1
    assert requests_escalate_overdue(now=later) == 0
    request.refresh_from_db()
    assert request.holder_path == TQ_COMMUNITY
    assert request.deadline_at > later
    event = request.events.get(kind=RequestEvent.Kind.AUTO_ESCALATED)
    assert event.actor is None and event.actor_name == "系统"
    # Left at every level, it climbs to the district and then only flags, once.
    for _ in range(6):
        request.refresh_from_db()
        requests_escalate_overdue(now=request.deadline_at + datetime.timedelta(minutes=1))
    request.refresh_from_db()
    assert request.holder.kind == Unit.Kind.DISTRICT
    assert request.events.filter(kind=RequestEvent.Kind.OVERDUE).count() == 1


def test_solve_close_and_satisfaction(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    with pytest.raises(ServiceError, match="办理结果"):
        request_solve(actor=persona("grid-nq"), request=request, version=request.version, solution="")
    request = request_solve(
        actor=persona("grid-nq"), request=request, version=request.version, solution="已联系物业当天修好"
    )
    assert request.state == Request.State.SOLVED and request.solved_on_time
    assert request.rating_token and len(request.rating_token) >= 40
    # A call-back is made by someone other than the one who solved it.
    with pytest.raises(ServiceError, match="办理人以外"):
        request_close(
            actor=persona("grid-nq"),
            request=request,
            version=request.version,
            satisfaction=5,
            method="callback",
        )
    for bad in (0, 6, "x", None):
        with pytest.raises(ServiceError, match="1到5分"):
            request_close(
                actor=persona("squad-nq"),
                request=request,
                version=request.version,
                satisfaction=bad,
                method="callback",
            )
    request = request_close(
        actor=persona("squad-nq"),
        request=request,
        version=request.version,
        satisfaction=4,
        comment="很及时",
        method="callback",
    )
    assert request.state == Request.State.CLOSED and request.satisfaction == 4
    assert request.rating_token is None
    with pytest.raises(ServiceError):
        request_escalate(actor=persona("grid-nq"), request=request, version=request.version, reason="x")


def test_the_rating_link_works_once(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    request = request_solve(
        actor=persona("grid-nq"), request=request, version=request.version, solution="已办"
    )
    token = request.rating_token
    assert token is not None
    request_rate_by_link(token=token, satisfaction=5, comment="谢谢")
    with pytest.raises(ServiceError, match="无效或已使用"):
        request_rate_by_link(token=token, satisfaction=1)
    with pytest.raises(ServiceError, match="无效或已使用"):
        request_rate_by_link(token="", satisfaction=1)
    request.refresh_from_db()
    assert request.feedback_method == "link"
    assert request.events.get(kind="closed").actor_name == "诉求人"


def test_typical_cases_carry_no_personal_data(persona):
    request = _file(persona, "grid-nq", NQ_GRID)
    request = request_solve(
        actor=persona("grid-nq"), request=request, version=request.version, solution="已办"
    )
    zhengzhi = persona("zhengzhi")
    for writeup, message in (
        ("王阿姨家水管漏水，网格员当天修好", "诉求人姓名"),
        ("居民（电话13912345678）反映漏水", "电话号码"),
        ("身份证310120195001011234的居民", "身份证号"),
    ):
        with pytest.raises(ServiceError, match=message):
            request_mark_typical(actor=zhengzhi, request=request, title="漏水当天修好", writeup=writeup)
    request = request_mark_typical(
        actor=zhengzhi,
        request=request,
        title="漏水当天修好",
        writeup="某某阿姨家水管漏水，网格员当天联系物业修好。",
    )
    assert request.is_typical
    # Nobody else marks typical cases; the political department does not see the request itself.
    with pytest.raises(PermissionDenied):
        request_mark_typical(actor=persona("nanqiao"), request=request, title="t", writeup="w")
    with pytest.raises(Http404):
        get_request_for_user(zhengzhi, request.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "   ", "请填写诉求内容"),
        ("caller_phone", "123", "诉求人电话有误"),
        ("caller_phone", "", "请填写诉求人电话"),
        ("channel", "pigeon", "来源渠道无效"),
        ("urgency", "whenever", "紧急程度无效"),
    ],
)
def test_bad_intake_is_refused_in_chinese(persona, field, value, message):
    arguments = {
        "actor": persona("grid-nq"),
        "category": RequestCategory.objects.get(code="other"),
        "channel": Channel.PHONE,
        "text": "需要帮忙",
        "unit": Unit.objects.get(path=NQ_GRID),
        "caller_phone": "13912345678",
        field: value,
    }
    with pytest.raises(ServiceError, match=message):
        request_file(**arguments)
    assert not Request.objects.exists()


def test_filing_outside_ones_units_is_refused(persona):
    with pytest.raises(ServiceError, match="权限"):
        _file(persona, "grid-nq", TQ_GRID)
    with pytest.raises(ServiceError, match="网格或社区"):
        _file(persona, "zhian", ZHIAN)


def test_request_events_are_append_only(persona):
    from django.db import DatabaseError, transaction

    request = _file(persona, "grid-nq", NQ_GRID)
    event = request.events.get()
    for attempt in (lambda: RequestEvent.objects.filter(pk=event.pk).update(note="改过"), event.delete):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert RequestEvent.objects.get(pk=event.pk).note == event.note


def test_needs_found_on_a_contact_open_a_request(persona):
    from linli.care.services.contacts import contact_log
    from linli.care.services.key_persons import CategoryInput, key_person_enrol
    from linli.lib.idcard import make_id_number
    from linli.registry.models import Resident

    resident = Resident.objects.create(
        name="赵老伯",
        document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1941, 3, 1), 17, "M"),
        residence_type="registered",
        unit_path=NQ_GRID,
    )
    key_person = key_person_enrol(
        actor=persona("officer-nq"),
        resident=resident,
        categories=[CategoryInput("living_alone")],
        responsible=persona("grid-nq"),
    )
    contact = contact_log(
        actor=persona("grid-nq"),
        key_person=key_person,
        occurred_at=timezone.now(),
        kind="visit",
        needs_found="需要代购降压药",
        is_emergency=True,
    )
    request = Request.objects.get(contact=contact)
    assert request.key_person == key_person
    assert request.resident == key_person.resident
    assert request.holder_path == NQ_GRID and request.channel == Channel.CONTACT
    assert request.urgency == "urgent" and request.text == "需要代购降压药"
    # A contact without needs opens nothing.
    quiet = contact_log(
        actor=persona("grid-nq"), key_person=key_person, occurred_at=timezone.now(), kind="phone"
    )
    assert not Request.objects.filter(contact=quiet).exists()


def test_hazards_found_on_a_contact_go_on_the_register(persona):
    from linli.care.services.contacts import contact_log
    from linli.care.services.key_persons import CategoryInput, key_person_enrol
    from linli.lib.idcard import make_id_number
    from linli.registry.models import Resident
    from linli.safety.models import Hazard

    resident = Resident.objects.create(
        name="钱老伯",
        document_kind="id_card",
        id_number=make_id_number("310120", datetime.date(1939, 5, 2), 19, "M"),
        residence_type="registered",
        unit_path=NQ_GRID,
    )
    key_person = key_person_enrol(
        actor=persona("officer-nq"), resident=resident, categories=[CategoryInput("living_alone")]
    )
    contact = contact_log(
        actor=persona("grid-nq"),
        key_person=key_person,
        occurred_at=timezone.now(),
        kind="visit",
        hazards_found="厨房燃气软管老化开裂",
    )
    hazard = Hazard.objects.get(contact=contact)
    assert hazard.unit_path == NQ_GRID and hazard.description == "厨房燃气软管老化开裂"
    assert not Request.objects.filter(contact=contact).exists()
