from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from linli.core.client import client_address as resolve_client_address
from linli.core.context import client_address


class RequestContextMiddleware:
    """Makes the client address available to audit writes for the duration of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR, or behind LINLI_TRUSTED_PROXIES the address they forwarded (docs/security.md).
        token = client_address.set(resolve_client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
