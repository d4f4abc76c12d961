"""Refuses requests that carry a NUL character in their query string or body text.

PostgreSQL text cannot hold NUL (0x00): a value with one reaches the database and fails there with a
server error, and SQLite would store it. Django's form fields already refuse it; API parameters and
bodies (pydantic) and views that read request.GET directly do not. Uploads (multipart) are left to
their forms: a file may contain any byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

# "\u0000" in JSON text (any case of the hex digits), the only way JSON can carry a NUL.
_JSON_NUL = re.compile(rb"\\u0000", re.IGNORECASE)
MESSAGE = "请求中含有无效字符（NUL）"


def _has_nul(request: HttpRequest) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" "))
    if content_type.endswith("json"):
        return b"\x00" in request.body or bool(_JSON_NUL.search(request.body))
    return False


class RejectNulMiddleware:
    """A 422 (API) or 400 (pages) instead of a database error for input with a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": MESSAGE, "errors": []}, status=422, json_dumps_params={"ensure_ascii": False}
                )
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
