from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.audit.selectors import audit_events_visible_to


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can_anywhere(Capability.VIEW_AUDIT):
        raise PermissionDenied
    page = Paginator(audit_events_visible_to(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_log.html", {"page": page})
