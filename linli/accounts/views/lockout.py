"""What a locked-out client gets (settings.AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from linli.accounts.services.lockout import LOCKED_MESSAGE


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_MESSAGE}, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/locked_out.html", status=429)
