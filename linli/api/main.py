"""The /api/v1/ plumbing: the API object with its Chinese error bodies and stable operation ids.

`new_api(auth=...)` builds it; the root URL conf (`linli/urls.py`) gives it the authentication of
`linli.accounts` and mounts every app's router. This package imports no domain app.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from linli.api.errors import service_error_body, status_of
from linli.core.errors import ServiceError


class ChineseJSONRenderer(JSONRenderer):
    # Chinese text as UTF-8, not \u escapes: readable in logs of the systems that call us.
    json_dumps_params = {"ensure_ascii": False}


class LinliAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """`linli_<app>_apis_<function>`, whichever module of the app's `apis` package holds the function,
        so that moving an endpoint between files does not change what clients generated from the schema
        call it. Function names are unique within an app (the schema test checks every id is unique)."""
        module = operation.view_func.__module__.split(".")
        return f"linli_{module[1]}_apis_{operation.view_func.__name__}"


# What pydantic says of a field, in Chinese (its own messages are English); {name}s come from its ctx.
_MESSAGES = {
    "missing": "缺少必填字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "datetime_type": "时间格式应为 ISO 8601，如 2026-11-23T09:30:00+08:00",
    "datetime_parsing": "时间格式应为 ISO 8601，如 2026-11-23T09:30:00+08:00",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601，如 2026-11-23T09:30:00+08:00",
    "string_too_long": "最多 {max_length} 字",
    "string_too_short": "不能少于 {min_length} 个字",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "取值无效，可选：{expected}",
    "enum": "取值无效，可选：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "JSON 格式有误",
    "extra_forbidden": "不支持该字段",
}


def chinese_message(error: dict[str, Any]) -> str:
    """A pydantic error as the user reads it; our own validators already speak Chinese."""
    kind = str(error.get("type", ""))
    message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return message
    template = _MESSAGES.get(kind, "取值无效")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：，, ") or "取值无效"


def new_api(*, auth: list[Any]) -> LinliAPI:
    """The API object, with linli's renderer, error bodies and `auth` for every endpoint."""
    api = LinliAPI(
        renderer=ChineseJSONRenderer(),
        title="邻里 API",
        version="1",
        urls_namespace="api",
        auth=auth,
        # The interactive docs load assets from a CDN; the schema alone is served.
        docs_url=None,
    )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": "未找到"}, status=404)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": "没有权限执行此操作"}, status=403)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)

    @api.exception_handler(ServiceError)
    def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return api.create_response(request, service_error_body(exc), status=status_of(exc))

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": chinese_message(e)} for e in exc.errors]
        detail = "请求数据有误"
        if len(errors) == 1:
            field = next((str(part) for part in reversed(errors[0]["loc"]) if isinstance(part, str)), "")
            detail = f"请求数据有误：{field + ' ' if field else ''}{errors[0]['msg']}"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    return api
