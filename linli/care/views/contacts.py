"""Logging a contact with a key person, on a phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linli.care.forms.contacts import ContactForm
from linli.care.models import Contact, KeyPerson
from linli.care.selectors.contacts import get_key_person_for_contact
from linli.care.services.contacts import contact_log
from linli.core.errors import ServiceError
from linli.core.users import signed_in


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/care/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _logged_message(key_person: KeyPerson, contact: Contact) -> str:
    name = key_person.resident.name
    if not contact.reached:
        return f"已记录：未联系上{name}，仍在待联系名单中"
    due = key_person.next_contact_due
    text = f"已登记与{name}的{contact.get_kind_display()}联系，下次联系：{due.month}月{due.day}日"
    if contact.is_emergency:
        text += "。已标记紧急情况，置顶显示"
    return text


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = get_key_person_for_contact(user, key_person_id)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_log(actor=user, key_person=key_person, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _logged_message(key_person, contact))
            return redirect(_safe_next(request) or reverse("care-today"))
    return render(
        request,
        "care/contact_form.html",
        {
            "key_person": key_person,
            "form": form,
            "categories": key_person.categories.all(),
            "next": _safe_next(request) or "",
        },
    )
