"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) over requests, for the 12345 hotline and
other systems that speak it; mounted at /open311/v2/.

- `services.json` lists the active request categories (public, as the spec has it).
- `requests.json` (GET) and `requests/<id>.json` read requests visible to the API key's user; POST
  files a request on the 12345 channel in that user's name.
- `api_key` is one of this project's API tokens (the bearer tokens of /api/v1/), sent as a parameter.
  Requests are scoped to its user through linli.needs.selectors, like every page.
- Where a request arose is named by the grid's code, in `jurisdiction_id` or the extension attribute
  `attribute[grid]`, or by an `address_id` of the registry; coordinates are not stored.
- Only JSON: an `.xml` address gets a 400 that says so. Errors are the spec's list,
  `[{"code": 400, "description": "…"}]`, with the same HTTP status.

These views authenticate by the key alone, never by a session cookie, so POST needs no CSRF token.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.utils import dateparse, timezone
from django.views.decorators.csrf import csrf_exempt

from linli.accounts.services.api_tokens import api_token_user
from linli.audit.services.reads import audit_read
from linli.core.errors import ServiceError
from linli.needs.models import Channel, Request, RequestCategory
from linli.needs.selectors.categories import active_categories
from linli.needs.selectors.requests import can_file, requests_visible_to
from linli.needs.services.requests import FilingRefused, filing_resolve, request_file

if TYPE_CHECKING:
    from linli.accounts.models import User

# The spec: a search returns at most this many requests, over at most 90 days (the last 90 by default).
LIST_LIMIT = 1000
MAX_SPAN = datetime.timedelta(days=90)
STATUSES = ("open", "closed")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _json(data: Any, status: int = 200) -> JsonResponse:
    # Chinese as UTF-8, not \u escapes, like the /api/v1/ renderer.
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(status: int, description: str) -> JsonResponse:
    return _json([{"code": status, "description": description}], status=status)


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def _user_of(request: HttpRequest, params: Any) -> User:
    """The active user an `api_key` belongs to (the lookup of /api/v1/'s bearer tokens); else 403."""
    key = (params.get("api_key") or "").strip()
    if not key:
        raise Open311Error(403, "缺少 api_key：请使用邻里平台签发的接口令牌")
    user = api_token_user(key)
    if user is None:
        raise Open311Error(403, "api_key 无效、已过期或已撤销")
    return user


def _status(request: Request) -> str:
    return "closed" if request.state == Request.State.CLOSED else "open"


def _status_notes(request: Request) -> str:
    if request.state == Request.State.OPEN:
        return f"{request.holder.name}办理中"
    if request.state == Request.State.SOLVED:
        return f"已解决，待回访：{request.solution}"
    return f"已办结：{request.solution}"


def _notice(request: Request) -> str:
    if request.state != Request.State.OPEN:
        return ""
    deadline = timezone.localtime(request.deadline_at)
    return f"诉求{request.number}由{request.holder.name}办理，本级办理时限{deadline:%Y-%m-%d %H:%M}"


def _request_out(request: Request) -> dict[str, Any]:
    """A request in the spec's fields; the caller's name and phone are never part of it."""
    address = request.address.full_text if request.address is not None else request.place_text
    return {
        "service_request_id": str(request.pk),
        "status": _status(request),
        "status_notes": _status_notes(request),
        "service_name": request.category.name,
        "service_code": request.category.code,
        "description": request.text,
        "agency_responsible": request.holder.name,
        "service_notice": _notice(request),
        "requested_datetime": _iso(request.created_at),
        "updated_datetime": _iso(request.updated_at),
        "expected_datetime": _iso(request.deadline_at),
        "address": address,
        "address_id": None if request.address_id is None else str(request.address_id),
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _datetime(value: str, name: str, *, end: bool) -> datetime.datetime | None:
    """An ISO 8601 time (without an offset: Asia/Shanghai); a bare date is its start, or for an end, the
    start of the next day."""
    value = value.strip()
    if not value:
        return None
    parsed: datetime.datetime | None = None
    day: datetime.date | None = None
    try:
        # A bare date first: parse_datetime would also read "2026-03-01" (as its midnight).
        day = dateparse.parse_date(value) if len(value) == 10 else None
        parsed = None if day is not None else dateparse.parse_datetime(value)
    except ValueError:
        pass
    if day is not None:
        parsed = datetime.datetime.combine(day + datetime.timedelta(days=1 if end else 0), datetime.time())
    if parsed is None:
        raise Open311Error(400, f"{name} 应为 ISO 8601 格式的时间，例如 2026-03-01T08:00:00+08:00")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


_ID = re.compile(r"[0-9]{1,18}")


def _id(value: str) -> int | None:
    """A row id as the spec's string ids carry it; None for anything else (too long for the column)."""
    value = value.strip()
    return int(value) if _ID.fullmatch(value) else None


def _categories(codes: str) -> list[RequestCategory]:
    wanted = [c.strip() for c in codes.split(",") if c.strip()]
    found = list(RequestCategory.objects.filter(code__in=wanted))
    unknown = sorted(set(wanted) - {c.code for c in found})
    if unknown:
        raise Open311Error(404, f"未知的服务类别：{'、'.join(unknown)}")
    return found


def _search(user: User, params: Any) -> list[dict[str, Any]]:
    queryset = requests_visible_to(user=user).select_related("category", "holder", "address")
    ids = (params.get("service_request_id") or "").strip()
    if ids:
        # The spec: with ids, every other parameter is ignored.
        parsed = [_id(i) for i in ids.split(",") if i.strip()]
        wanted = [i for i in parsed if i is not None]
        if len(wanted) != len(parsed):
            raise Open311Error(400, "service_request_id 应为以逗号分隔的诉求编号")
        audit_read(user=user, action="request.open311", detail={"ids": len(wanted)})
        return [_request_out(r) for r in queryset.filter(pk__in=wanted).order_by("-created_at", "-id")]
    codes = params.get("service_code") or ""
    if codes.strip():
        queryset = queryset.filter(category__in=_categories(codes))
    start = _datetime(params.get("start_date") or "", "start_date", end=False)
    end = _datetime(params.get("end_date") or "", "end_date", end=True)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "查询时间跨度不能超过90天")
    queryset = queryset.filter(created_at__gte=start, created_at__lte=end)
    statuses = [s.strip() for s in (params.get("status") or "").split(",") if s.strip()]
    if any(s not in STATUSES for s in statuses):
        raise Open311Error(400, "status 应为 open（办理中）或 closed（已办结）")
    if statuses == ["open"]:
        queryset = queryset.exclude(state=Request.State.CLOSED)
    elif statuses == ["closed"]:
        queryset = queryset.filter(state=Request.State.CLOSED)
    audit_read(user=user, action="request.open311", detail={"from": start.isoformat(), "to": end.isoformat()})
    return [_request_out(r) for r in queryset.order_by("-created_at", "-id")[:LIST_LIMIT]]


def _grid_code(params: Any) -> str:
    """The grid named by `jurisdiction_id` or `attribute[grid]` (they must agree); empty when neither."""
    codes = {
        c.strip() for c in (params.get("jurisdiction_id", ""), params.get("attribute[grid]", "")) if c.strip()
    }
    if len(codes) > 1:
        raise Open311Error(400, "jurisdiction_id 与 attribute[grid] 指向不同的网格")
    return next(iter(codes), "")


def _file(user: User, params: Any) -> list[dict[str, Any]]:
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code（诉求类别编码）")
    description = (params.get("description") or "").strip()
    grid_code = _grid_code(params)
    address_id = (params.get("address_id") or "").strip()
    try:
        filing = filing_resolve(
            actor=user,
            category_code=code,
            unit_code=grid_code,
            address_id=(_id(address_id) or 0) if address_id else None,
        )
    except FilingRefused as exc:
        raise Open311Error(*_FILING_REFUSED[exc.reason](code, address_id)) from None
    except Http404:
        raise Open311Error(400, f"网格编码无效或不在该 api_key 的辖区：{grid_code}") from None
    if not description:
        raise Open311Error(400, "缺少 description（诉求内容）")
    if grid_code:
        if not can_file(user, filing.unit):
            raise Open311Error(403, f"该 api_key 无权在{filing.unit.name}登记诉求")
        if filing.address is not None and filing.address.grid_id != filing.unit.pk:
            raise Open311Error(400, "address_id 所在网格与 jurisdiction_id 不一致")
    # Chinese names are written family name first.
    caller_name = f"{params.get('last_name', '').strip()}{params.get('first_name', '').strip()}"
    try:
        filed = request_file(
            actor=user,
            channel=Channel.HOTLINE_12345,
            text=description,
            caller_name=caller_name,
            caller_phone=params.get("phone", ""),
            place_text=(params.get("address_string") or "").strip(),
            **filing.refs(),
        )
    except ServiceError as exc:
        raise Open311Error(400, exc.message) from None
    return [{"service_request_id": str(filed.pk), "service_notice": _notice(filed)}]


# What filing_resolve refused, in the spec's error list: (status, description) from the code and address id.
_FILING_REFUSED: dict[str, Callable[[str, str], tuple[int, str]]] = {
    "category": lambda code, address_id: (404, f"未知的服务类别：{code}"),
    "address": lambda code, address_id: (400, f"地址编号无效或不在该 api_key 的辖区：{address_id}"),
    "place": lambda code, address_id: (
        400,
        "请用 jurisdiction_id 或 attribute[grid] 指明网格编码，或提供 address_id",
    ),
}


@csrf_exempt
def services_list(request: HttpRequest) -> HttpResponse:
    """GET services.json: the active request categories."""
    if request.method != "GET":
        return _error(405, "该地址只支持 GET")
    categories = active_categories()
    return _json(
        [
            {
                "service_code": c.code,
                "service_name": c.name,
                "description": c.description,
                "metadata": False,
                "type": "realtime",
                "keywords": c.name.replace("/", ","),
                "group": "群众诉求",
            }
            for c in categories
        ]
    )


@csrf_exempt
def requests_collection(request: HttpRequest) -> HttpResponse:
    """GET requests.json searches the key's requests; POST (form-encoded) files one."""
    try:
        if request.method == "GET":
            return _json(_search(_user_of(request, request.GET), request.GET))
        if request.method == "POST":
            return _json(_file(_user_of(request, request.POST), request.POST), status=201)
        return _error(405, "该地址只支持 GET 和 POST")
    except Open311Error as exc:
        return _error(exc.status, exc.description)


@csrf_exempt
def request_single(request: HttpRequest, request_id: str) -> HttpResponse:
    """GET requests/<id>.json: one request (as a list of one, per the spec)."""
    if request.method != "GET":
        return _error(405, "该地址只支持 GET")
    try:
        user = _user_of(request, request.GET)
        found = (
            requests_visible_to(user=user)
            .select_related("category", "holder", "address")
            .filter(pk=int(request_id))
            .first()
        )
    except Open311Error as exc:
        return _error(exc.status, exc.description)
    if found is None:
        return _error(404, f"未找到诉求：{request_id}")
    audit_read(user=user, action="request.open311", obj=found, unit_path=found.unit_path)
    return _json([_request_out(found)])


def xml_not_supported(request: HttpRequest, resource: str) -> HttpResponse:
    return _error(400, "本接口只提供 JSON 格式，请把地址结尾的 .xml 换成 .json")


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(404, "没有这个接口；可用的有 services.json、requests.json 和 requests/<编号>.json")


urlpatterns = [
    path("services.json", services_list, name="open311-services"),
    path("requests.json", requests_collection, name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[0-9]{1,18})\.json$", request_single, name="open311-request"),
    re_path(r"^(?P<resource>.+)\.xml$", xml_not_supported),
    re_path(r"^(?P<rest>.*)$", not_found),
]
