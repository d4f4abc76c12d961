from __future__ import annotations

from django.urls import path

from linli.care.views import (
    consolation_visits,
    contacts,
    key_persons,
    love_cards,
    sweeps,
    vaccinations,
    worklists,
)

urlpatterns = [
    path("", worklists.care_today, name="care-today"),
    path("home-block/", worklists.care_home_block, name="care-home-block"),
    path("key-persons/<int:key_person_id>/", key_persons.key_person_detail, name="key-person-detail"),
    path("key-persons/<int:key_person_id>/contacts/new/", contacts.contact_new, name="contact-new"),
    path(
        "key-persons/<int:key_person_id>/guardians/reveal/",
        key_persons.guardian_reveal_phones,
        name="guardian-reveal",
    ),
    path("units/<str:code>/", worklists.care_unit, name="care-unit"),
    path("units/<str:code>/vaccination/", vaccinations.vaccination_list, name="vaccination-list"),
    path("units/<str:code>/vaccination.xlsx", vaccinations.vaccination_export, name="vaccination-export"),
    path(
        "key-persons/<int:key_person_id>/consolation-visits/new/",
        consolation_visits.consolation_visit_new,
        name="consolation-visit-new",
    ),
    path("residents/<int:resident_id>/enrol/", key_persons.enrol, name="key-person-enrol"),
    path("key-persons/<int:key_person_id>/reassign/", key_persons.reassign, name="key-person-reassign"),
    path("key-persons/<int:key_person_id>/remove/", key_persons.remove, name="key-person-remove"),
    path("sweeps/", sweeps.sweep_list, name="sweep-list"),
    path("sweeps/<int:sweep_id>/", sweeps.sweep_detail, name="sweep-detail"),
    path(
        "sweeps/<int:sweep_id>/households/<int:household_id>/",
        sweeps.sweep_household,
        name="sweep-household",
    ),
    path("sweeps/<int:sweep_id>/close/", sweeps.sweep_close_view, name="sweep-close"),
    # The staff's pages of love cards; the finder's page, without a login, is in public_urls.
    path("love-cards/<int:key_person_id>/", love_cards.card_page, name="love-card"),
    path("love-cards/<int:key_person_id>/issue/", love_cards.card_issue, name="love-card-issue"),
    path("love-cards/<int:key_person_id>/revoke/", love_cards.card_revoke, name="love-card-revoke"),
    path("love-cards/sheet/<str:code>/", love_cards.card_sheet, name="love-card-sheet"),
]
