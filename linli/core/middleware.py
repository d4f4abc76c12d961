from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from linli.core.context import client_address


class RequestContextMiddleware:
    """Makes the client address available to audit writes for the duration of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Behind a proxy, the proxy is expected to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
        token = client_address.set(request.META.get("REMOTE_ADDR", ""))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
