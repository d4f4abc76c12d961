from __future__ import annotations

from django.urls import path

from linli.care import followup_views, ledger_views, sweep_views, views

urlpatterns = [
    path("", views.care_today, name="care-today"),
    path("home-block/", views.care_home_block, name="care-home-block"),
    path("key-persons/<int:key_person_id>/", views.key_person_detail, name="key-person-detail"),
    path("key-persons/<int:key_person_id>/contacts/new/", views.contact_new, name="contact-new"),
    path(
        "key-persons/<int:key_person_id>/guardians/reveal/",
        views.guardian_reveal_phones,
        name="guardian-reveal",
    ),
    path("units/<str:code>/", views.care_unit, name="care-unit"),
    path("units/<str:code>/vaccination/", followup_views.vaccination_list, name="vaccination-list"),
    path("units/<str:code>/vaccination.xlsx", followup_views.vaccination_export, name="vaccination-export"),
    path(
        "key-persons/<int:key_person_id>/consolation-visits/new/",
        followup_views.consolation_visit_new,
        name="consolation-visit-new",
    ),
    path("residents/<int:resident_id>/enrol/", ledger_views.enrol, name="key-person-enrol"),
    path("key-persons/<int:key_person_id>/reassign/", ledger_views.reassign, name="key-person-reassign"),
    path("key-persons/<int:key_person_id>/remove/", ledger_views.remove, name="key-person-remove"),
    path("sweeps/", sweep_views.sweep_list, name="sweep-list"),
    path("sweeps/<int:sweep_id>/", sweep_views.sweep_detail, name="sweep-detail"),
    path(
        "sweeps/<int:sweep_id>/households/<int:household_id>/",
        sweep_views.sweep_household,
        name="sweep-household",
    ),
    path("sweeps/<int:sweep_id>/close/", sweep_views.sweep_close_view, name="sweep-close"),
]
