from __future__ import annotations

from django.urls import path

from linli.safety import hazard_views, views

urlpatterns = [
    path("", views.safety_home, name="safety-home"),
    path("units/<str:code>/disputes/", views.dispute_register, name="dispute-register"),
    path("units/<str:code>/disputes/new/", views.dispute_new, name="dispute-new"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="dispute-detail"),
    path("disputes/<int:dispute_id>/transfer/", views.dispute_transfer_view, name="dispute-transfer"),
    path("disputes/<int:dispute_id>/mediation/", views.dispute_mediate_view, name="dispute-mediate"),
    path("disputes/<int:dispute_id>/checks/<int:check_id>/", views.dispute_check_view, name="dispute-check"),
    path("units/<str:code>/hazards/", hazard_views.hazard_register, name="hazard-register"),
    path("units/<str:code>/hazards/new/", hazard_views.hazard_new, name="hazard-new"),
    path("units/<str:code>/hazards/summary/", hazard_views.hazard_summary_view, name="hazard-summary"),
    path(
        "units/<str:code>/hazards/summary.xlsx",
        hazard_views.hazard_summary_export,
        name="hazard-summary-export",
    ),
    path("hazards/<int:hazard_id>/", hazard_views.hazard_detail, name="hazard-detail"),
    path("hazards/<int:hazard_id>/rechecks/", hazard_views.hazard_recheck_view, name="hazard-recheck"),
]
