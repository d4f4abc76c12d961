"""Response headers Django and django-csp do not set: Permissions-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`camera=(), fullscreen=(self)` from {"camera": [], "fullscreen": ["self"]}."""
    parts = []
    for feature, allow in features.items():
        origins = " ".join(origin if origin == "self" else f'"{origin}"' for origin in allow)
        parts.append(f"{feature}=({origins})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """Switches off the browser features no page uses (LINLI_PERMISSIONS_POLICY), on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "LINLI_PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
