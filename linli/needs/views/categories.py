"""The request categories with their urgency, deadline and outside body (district admins configure them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linli.accounts.models import Role, User
from linli.accounts.selectors.scope import scope_for
from linli.core.errors import ServiceError
from linli.core.users import signed_in
from linli.needs.forms.categories import CategoryForm
from linli.needs.models import RequestCategory, Urgency
from linli.needs.services.categories import request_category_set


def _require_district_admin(user: User) -> None:
    if not scope_for(user).has_role(Role.DISTRICT_ADMIN):
        raise PermissionDenied


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest) -> HttpResponse:
    """诉求类别: each with its default urgency, its limit per level and the outside body it goes to."""
    user = signed_in(request.user)
    _require_district_admin(user)
    form = CategoryForm(request.POST or None, initial={"default_urgency": Urgency.NORMAL, "is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            category = request_category_set(actor=user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已保存类别“{category.name}”")
            return redirect("request-categories")
    editing = request.GET.get("edit", "")
    if request.method == "GET" and editing:
        found = RequestCategory.objects.filter(code=editing).first()
        if found is not None:
            form = CategoryForm(
                initial={
                    "code": found.code,
                    "name": found.name,
                    "default_urgency": found.default_urgency,
                    "deadline_hours": found.deadline_hours,
                    "handoff_body": found.handoff_body,
                    "description": found.description,
                    "is_active": found.is_active,
                }
            )
    categories = list(RequestCategory.objects.order_by("sort_order", "id"))
    return render(
        request,
        "needs/categories.html",
        {
            "categories": [(c, {u: c.hours_for(u) for u in Urgency.values}) for c in categories],
            "urgencies": Urgency.choices,
            "form": form,
            "editing": editing,
        },
    )
