"""Pages residents open without an account (mounted at the site root)."""

from __future__ import annotations

from django.urls import path

from linli.needs import public_views

urlpatterns = [
    path("r/<str:token>", public_views.rate_page, name="request-rate"),
    path("g/<str:code>/ask", public_views.grid_ask, name="grid-ask"),
]
