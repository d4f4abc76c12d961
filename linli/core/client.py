"""The client's address, for lockout counts and the audit log.

REMOTE_ADDR unless the request comes from one of LINLI_TRUSTED_PROXIES; then the right-most address in
X-Forwarded-For that is not itself a trusted proxy. A client can put anything in the left part of that
header, so nothing left of the first untrusted hop is believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = set(settings.LINLI_TRUSTED_PROXIES)
    if not trusted or remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop in trusted:
            continue
        return _valid(hop) or remote
    return remote
