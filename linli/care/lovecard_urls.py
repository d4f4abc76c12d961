from __future__ import annotations

from django.urls import path

from linli.care import lovecard_views as views

urlpatterns = [
    path("c/<str:token>", views.finder_page, name="love-card-finder"),
    path("care/love-cards/<int:key_person_id>/", views.card_page, name="love-card"),
    path("care/love-cards/<int:key_person_id>/issue/", views.card_issue, name="love-card-issue"),
    path("care/love-cards/<int:key_person_id>/revoke/", views.card_revoke, name="love-card-revoke"),
    path("care/love-cards/sheet/<str:code>/", views.card_sheet, name="love-card-sheet"),
]
