from __future__ import annotations

from django.urls import path

from linli.care.views import love_cards

urlpatterns = [
    path("c/<str:token>", love_cards.finder_page, name="love-card-finder"),
]
