"""Pages of the key-person ledger: a person, their guardians' phones, putting a resident on the ledger,
changing who is paired with them, taking them off (C1, C3)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.care.models import Category, Guardian, KeyPerson, RiskLevel
from linli.care.selectors.contacts import key_person_contacts
from linli.care.selectors.key_persons import (
    HEALTH_WITHHELD,
    age_on,
    can_view_health,
    get_key_person_detail_for_user,
    get_key_person_for_user,
    guardian_reveal,
    visible_categories,
)
from linli.care.selectors.units import grid_of, members_for
from linli.care.services.key_persons import (
    CategoryInput,
    key_person_enrol,
    key_person_reassign,
    key_person_remove,
)
from linli.care.views.worklists import _today
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.core.users import signed_in
from linli.lib.phone import PhoneError, normalise_phone
from linli.registry.forms.residents import RevealForm
from linli.registry.selectors.residents import get_resident_for_user

HISTORY_PER_PAGE = 20


@login_required
@never_cache
@require_GET
def key_person_detail(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = get_key_person_detail_for_user(user, key_person_id)
    return render(request, "care/key_person_detail.html", _detail_context(request, key_person))


def _guardians_context(
    request: HttpRequest,
    key_person: KeyPerson,
    reveal_form: RevealForm | None = None,
    revealed: list[Guardian] | None = None,
) -> dict[str, Any]:
    """The guardians' card: masked phones, and the reveal form for those who may see them in full."""
    user = signed_in(request.user)
    return {
        "key_person": key_person,
        "guardians": [(g, mask_phone(g.phone)) for g in key_person.guardians.all()],
        "can_reveal": scope_for(user).can(Capability.REVEAL_PERSONAL, key_person.unit_path),
        "reveal_form": reveal_form or RevealForm(),
        "revealed": revealed,
    }


def _detail_context(request: HttpRequest, key_person: KeyPerson, **reveal: Any) -> dict[str, Any]:
    user = signed_in(request.user)
    today = _today()
    history = Paginator(key_person_contacts(key_person=key_person), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    resident = key_person.resident
    health = can_view_health(user, key_person.unit_path)
    return {
        **_guardians_context(request, key_person, **reveal),
        "resident": resident,
        "age": age_on(resident.birth_date, today),
        "phone": mask_phone(resident.phone),
        "categories": visible_categories(key_person.categories.all(), health=health),
        # Without VIEW_HEALTH: no health categories, grades, treatments, needs or contact notes.
        "show_health": health,
        "health_withheld": HEALTH_WITHHELD,
        "days_overdue": (today - key_person.next_contact_due).days,
        "history": history,
        "unit": grid_of(key_person=key_person),
        "can_log": key_person.is_active
        and scope_for(user).can(Capability.LOG_CONTACTS, key_person.unit_path),
        "visits": key_person.consolation_visits.select_related("visited_by")[:20],
        "today": today,
    }


@login_required
@never_cache
@require_POST
def guardian_reveal_phones(request: HttpRequest, key_person_id: int) -> HttpResponse:
    """The guardians' full phone numbers, for a reason: only in this response, never stored in the page.

    A fragment for htmx; the whole key person page without it.
    """
    user = signed_in(request.user)
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revealed = None
    try:
        # The selector decides (404, then 403, then the reason); the form only cleans.
        key_person, revealed = guardian_reveal(user=user, key_person_id=key_person_id, reason=reason)
    except ServiceError as exc:
        # Shown again masked: an ordinary, audited view of the key person.
        key_person = get_key_person_detail_for_user(user, key_person_id)
        if not form.errors:
            form.add_error("reason", exc.message)
    if request.headers.get("HX-Request") == "true":
        context = _guardians_context(request, key_person, reveal_form=form, revealed=revealed)
        return render(request, "care/_guardians.html", context)
    return render(
        request,
        "care/key_person_detail.html",
        _detail_context(request, key_person, reveal_form=form, revealed=revealed),
    )


def _member(request: HttpRequest, field: str, allowed: QuerySet[User]) -> User | None:
    value = request.POST.get(field, "")
    return allowed.filter(pk=int(value)).first() if value.isdigit() else None


def _categories(request: HttpRequest) -> list[CategoryInput]:
    chosen = request.POST.getlist("category")
    items = []
    for category in chosen:
        grade = request.POST.get("disability_grade", "")
        due = request.POST.get("due_date", "")
        items.append(
            CategoryInput(
                category=category,
                disability_grade=int(grade) if category == Category.DISABLED and grade.isdigit() else None,
                due_date=_date(due) if category == Category.PREGNANT else None,
                treatment=request.POST.get("treatment", "") if category == Category.SERIOUSLY_ILL else "",
            )
        )
    return items


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, resident_id: int) -> HttpResponse:
    user = signed_in(request.user)
    resident = get_resident_for_user(user, resident_id)
    if not scope_for(user).can(Capability.MANAGE_CARE, resident.unit_path):
        raise PermissionDenied
    members = members_for(resident.unit_path)
    error = ""
    if request.method == "POST":
        guardians: list[tuple[str, str, str]] = []
        name = request.POST.get("guardian_name", "").strip()
        try:
            if name:
                phone = normalise_phone(request.POST.get("guardian_phone", "")).number
                guardians.append((name, request.POST.get("guardian_relation", "").strip(), phone))
            key_person = key_person_enrol(
                actor=user,
                resident=resident,
                categories=_categories(request),
                risk_level=request.POST.get("risk_level", RiskLevel.LOW),
                responsible=_member(request, "responsible", members),
                backup=_member(request, "backup", members),
                needs_note=request.POST.get("needs_note", ""),
                guardians=guardians,
            )
        except PhoneError as exc:
            error = f"监护人电话：{exc.message}"
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"已将{resident.name}列入重点人员台账")
            return redirect("key-person-detail", key_person_id=key_person.pk)
    context: dict[str, Any] = {
        "resident": resident,
        "categories": Category.choices,
        "risks": RiskLevel.choices,
        "members": members,
        "error": error,
        "posted": request.POST,
        "chosen": request.POST.getlist("category"),
    }
    return render(request, "care/enrol.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest, key_person_id: int) -> HttpResponse:
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.MANAGE_CARE, key_person.unit_path):
        raise PermissionDenied
    members = members_for(key_person.unit_path)
    error = ""
    if request.method == "POST":
        try:
            key_person_reassign(
                actor=user,
                key_person=key_person,
                responsible=_member(request, "responsible", members),
                backup=_member(request, "backup", members),
                reason=request.POST.get("reason", ""),
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, "已调整结对")
            return redirect("key-person-detail", key_person_id=key_person.pk)
    return render(
        request, "care/reassign.html", {"key_person": key_person, "members": members, "error": error}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, key_person_id: int) -> HttpResponse:
    """移出台账: moved away, recovered, died; the history stays, the worklists drop the person."""
    user = signed_in(request.user)
    key_person = get_key_person_for_user(user, key_person_id)
    if not scope_for(user).can(Capability.MANAGE_CARE, key_person.unit_path):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            key_person_remove(actor=user, key_person=key_person, reason=request.POST.get("reason", ""))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"已将{key_person.resident.name}移出重点人员台账")
            return redirect("key-person-detail", key_person_id=key_person.pk)
    return render(request, "care/remove.html", {"key_person": key_person, "error": error})
