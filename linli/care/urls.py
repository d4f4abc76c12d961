from __future__ import annotations

from django.urls import path

from linli.care import views

urlpatterns = [
    path("", views.care_today, name="care-today"),
    path("home-block/", views.care_home_block, name="care-home-block"),
    path("key-persons/<int:key_person_id>/", views.key_person_detail, name="key-person-detail"),
    path("key-persons/<int:key_person_id>/contacts/new/", views.contact_new, name="contact-new"),
    path("units/<str:code>/", views.care_unit, name="care-unit"),
]
