from __future__ import annotations

from django.urls import path

from linli.registry.views import addresses, imports, indicators, residents

urlpatterns = [
    path("residents/", residents.resident_search, name="resident-search"),
    path("residents/<int:resident_id>/", residents.resident_detail, name="resident-detail"),
    path("residents/<int:resident_id>/reveal/", residents.resident_reveal_numbers, name="resident-reveal"),
    path("addresses/<int:address_id>/", addresses.address_detail, name="address-detail"),
    path("addresses/review/", addresses.address_review_list, name="address-review-list"),
    path("addresses/review/<int:review_id>/", addresses.address_review_settle, name="address-review-settle"),
    path("registry/units/<str:code>/", indicators.registry_unit, name="registry-unit"),
    path("imports/", imports.import_job_list, name="import-job-list"),
    path("imports/new/", imports.import_job_new, name="import-job-new"),
    path("imports/<uuid:job_uuid>/", imports.import_job_detail, name="import-job-detail"),
    path("imports/<uuid:job_uuid>/status/", imports.import_job_status, name="import-job-status"),
    path("imports/<uuid:job_uuid>/write/", imports.import_job_write_view, name="import-job-write"),
    path("imports/<uuid:job_uuid>/report.xlsx", imports.import_job_report, name="import-job-report"),
]
