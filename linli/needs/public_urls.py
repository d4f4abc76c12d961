"""Pages residents open without an account (mounted at the site root)."""

from __future__ import annotations

from django.urls import path

from linli.needs.views import intake, ratings

urlpatterns = [
    path("r/<str:token>", ratings.rate_page, name="request-rate"),
    path("g/<str:code>/ask", intake.grid_ask, name="grid-ask"),
]
