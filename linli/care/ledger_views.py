"""Putting a resident on the key-person ledger, and changing who is paired with them (C1, C3)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linli.accounts.models import User
from linli.accounts.roles import Capability
from linli.accounts.selectors import scope_for
from linli.care.models import Category, RiskLevel
from linli.care.selectors.key_persons import get_key_person_for_user
from linli.care.selectors.units import members_for
from linli.care.services.key_persons import (
    CategoryInput,
    key_person_enrol,
    key_person_reassign,
    key_person_remove,
)
from linli.core.errors import ServiceError
from linli.lib.phone import PhoneError, normalise_phone
from linli.registry.selectors import get_resident_for_user


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
    resident = get_resident_for_user(request.user, resident_id)
    if not scope_for(request.user).can(Capability.MANAGE_CARE, resident.unit_path):
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
                actor=request.user,
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
    key_person = get_key_person_for_user(request.user, key_person_id)
    if not scope_for(request.user).can(Capability.MANAGE_CARE, key_person.unit_path):
        raise PermissionDenied
    members = members_for(key_person.unit_path)
    error = ""
    if request.method == "POST":
        try:
            key_person_reassign(
                actor=request.user,
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
    key_person = get_key_person_for_user(request.user, key_person_id)
    if not scope_for(request.user).can(Capability.MANAGE_CARE, key_person.unit_path):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            key_person_remove(
                actor=request.user, key_person=key_person, reason=request.POST.get("reason", "")
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"已将{key_person.resident.name}移出重点人员台账")
            return redirect("key-person-detail", key_person_id=key_person.pk)
    return render(request, "care/remove.html", {"key_person": key_person, "error": error})
