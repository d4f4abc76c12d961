"""Where the safety pages start: the registers of the user's units and their own checks due."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linli.core.users import signed_in
from linli.safety.selectors.disputes import dispute_checks_due, dispute_counts
from linli.safety.selectors.hazards import hazard_counts
from linli.safety.selectors.units import safety_units_of
from linli.safety.views.disputes import CHECKS_SHOWN, _today
from linli.safety.views.places import labels_for


@login_required
@never_cache
@require_GET
def safety_home(request: HttpRequest) -> HttpResponse:
    """Where the dispute and hazard registers of the user's units are, and their own checks due."""
    user = signed_in(request.user)
    today = _today()
    units = list(safety_units_of(user=user)[:20])
    checks = list(dispute_checks_due(user=user, on=today, mine=True)[:CHECKS_SHOWN])
    labels = labels_for({c.unit_path for c in checks})
    return render(
        request,
        "safety/home.html",
        {
            "units": [
                (
                    u,
                    dispute_counts(user=user, unit=u, on=today),
                    hazard_counts(user=user, unit=u, on=today),
                )
                for u in units
            ],
            "checks": [(c, labels.get(c.unit_path, ""), (today - c.due_on).days) for c in checks],
            "today": today,
        },
    )
