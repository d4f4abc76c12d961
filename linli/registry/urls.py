from __future__ import annotations

from django.urls import path

from linli.registry import views

urlpatterns = [
    path("residents/", views.resident_search, name="resident-search"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident-detail"),
    path("residents/<int:resident_id>/reveal/", views.resident_reveal_numbers, name="resident-reveal"),
    path("addresses/<int:address_id>/", views.address_detail, name="address-detail"),
    path("addresses/review/", views.address_review_list, name="address-review-list"),
    path("addresses/review/<int:review_id>/", views.address_review_settle, name="address-review-settle"),
    path("registry/units/<str:code>/", views.registry_unit, name="registry-unit"),
    path("imports/", views.import_job_list, name="import-job-list"),
    path("imports/new/", views.import_job_new, name="import-job-new"),
    path("imports/<uuid:job_uuid>/", views.import_job_detail, name="import-job-detail"),
    path("imports/<uuid:job_uuid>/status/", views.import_job_status, name="import-job-status"),
    path("imports/<uuid:job_uuid>/write/", views.import_job_write_view, name="import-job-write"),
    path("imports/<uuid:job_uuid>/report.xlsx", views.import_job_report, name="import-job-report"),
]
