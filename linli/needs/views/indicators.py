"""The request indicators of a unit's children (S6, A2), for stations and districts."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from linli.core.users import signed_in
from linli.needs.forms.indicators import DEFAULT_DAYS, RatesPeriodForm
from linli.needs.selectors.indicators import request_rates
from linli.org.selectors.units import breadcrumbs_for, children_visible_to, get_area_for_user


@login_required
@never_cache
def request_rates_page(request: HttpRequest, code: str) -> HttpResponse:
    """诉求办理情况: per child unit, requests filed in the period, solved on time, escalated, satisfaction."""
    user = signed_in(request.user)
    unit = get_area_for_user(user, code)
    form = RatesPeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=DEFAULT_DAYS - 1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not form.is_bound:
        form = RatesPeriodForm(initial={"start": start, "end": end})
    children = list(children_visible_to(user=user, unit=unit))
    rows = request_rates(units=children, start=start, end=end) if children else []
    (total,) = request_rates(units=[unit], start=start, end=end)
    return render(
        request,
        "needs/rates.html",
        {
            "unit": unit,
            "ancestors": breadcrumbs_for(user, unit),
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "total": total,
            "query": request.GET,
        },
    )
