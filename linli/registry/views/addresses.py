"""Pages of standard addresses: who lives at one, and the queue of texts waiting to be matched to one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.audit.services.reads import audit_read
from linli.core.errors import ServiceError
from linli.registry.selectors.addresses import (
    address_reviews_pending_for,
    addresses_visible_to,
    get_address_for_user,
    get_address_review_for_manage,
)
from linli.registry.selectors.residents import resident_row, residents_at
from linli.registry.views.residents import RESULTS_PER_PAGE


@login_required
@never_cache
def address_detail(request: HttpRequest, address_id: int) -> HttpResponse:
    address = get_address_for_user(request.user, address_id)
    residents = residents_at(address=address).select_related("address")
    audit_read(user=request.user, action="address.view", obj=address, unit_path=address.unit_path)
    housing = getattr(address, "housing", None)  # the reverse one-to-one raises when there is none
    return render(
        request,
        "registry/address_detail.html",
        {
            "address": address,
            "rows": [resident_row(r) for r in residents],
            "housing": housing,
            "businesses": address.businesses.order_by("name"),
        },
    )


@login_required
def address_review_list(request: HttpRequest) -> HttpResponse:
    reviews = address_reviews_pending_for(user=request.user)
    page = Paginator(reviews, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registry/address_review_list.html", {"page": page})


@login_required
@require_POST
def address_review_settle(request: HttpRequest, review_id: int) -> HttpResponse:
    """Match a queued text to a standard address by its code, or dismiss it."""
    from linli.registry.services.addresses import address_review_resolve

    review = get_address_review_for_manage(request.user, review_id)
    address = None
    if "dismiss" not in request.POST:
        code = request.POST.get("address_code", "").strip()
        address = addresses_visible_to(user=request.user).filter(code=code).first() if code else None
        if address is None:
            messages.error(
                request, f"找不到地址编码“{code[:40]}”，请核对后重试" if code else "请填写标准地址编码"
            )
            return redirect("address-review-list")
    try:
        address_review_resolve(actor=request.user, review=review, address=address)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已核对" if address else "已忽略")
    return redirect("address-review-list")
