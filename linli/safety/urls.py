from __future__ import annotations

from django.urls import path

from linli.safety.views import disputes, hazards, home

urlpatterns = [
    path("", home.safety_home, name="safety-home"),
    path("units/<str:code>/disputes/", disputes.dispute_register, name="dispute-register"),
    path("units/<str:code>/disputes/new/", disputes.dispute_new, name="dispute-new"),
    path("disputes/<int:dispute_id>/", disputes.dispute_detail, name="dispute-detail"),
    path("disputes/<int:dispute_id>/transfer/", disputes.dispute_transfer_view, name="dispute-transfer"),
    path("disputes/<int:dispute_id>/mediation/", disputes.dispute_mediate_view, name="dispute-mediate"),
    path(
        "disputes/<int:dispute_id>/checks/<int:check_id>/", disputes.dispute_check_view, name="dispute-check"
    ),
    path("units/<str:code>/hazards/", hazards.hazard_register, name="hazard-register"),
    path("units/<str:code>/hazards/new/", hazards.hazard_new, name="hazard-new"),
    path("units/<str:code>/hazards/summary/", hazards.hazard_summary_view, name="hazard-summary"),
    path(
        "units/<str:code>/hazards/summary.xlsx",
        hazards.hazard_summary_export,
        name="hazard-summary-export",
    ),
    path("hazards/<int:hazard_id>/", hazards.hazard_detail, name="hazard-detail"),
    path("hazards/<int:hazard_id>/rechecks/", hazards.hazard_recheck_view, name="hazard-recheck"),
]
