"""Recording a consolation visit (C8) from a key person's page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import scope_for
from linli.care.selectors.key_persons import get_key_person_for_user
from linli.care.services.consolation_visits import consolation_visit_record
from linli.core.errors import ServiceError
from linli.core.users import signed_in


@login_required
@require_POST
def consolation_visit_new(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.LOG_CONTACTS, key_person.unit_path):
        raise PermissionDenied
    try:
        visited_on = datetime.date.fromisoformat(request.POST.get("visited_on", ""))
    except ValueError:
        messages.error(request, "请填写慰问日期")
        return redirect("key-person-detail", key_person_id=key_person.pk)
    try:
        consolation_visit_record(
            actor=user,
            key_person=key_person,
            visited_on=visited_on,
            occasion=request.POST.get("occasion", ""),
            goods=request.POST.get("goods", ""),
            amount=request.POST.get("amount", "") or "0",
            fund=request.POST.get("fund", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已登记走访慰问")
    return redirect("key-person-detail", key_person_id=key_person.pk)
