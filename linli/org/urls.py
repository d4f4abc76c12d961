from __future__ import annotations

from django.urls import path

from linli.org.views import support_points, units

urlpatterns = [
    path("units/", units.unit_tree, name="unit-tree"),
    path("units/<str:code>/", units.unit_detail, name="unit-detail"),
    path("units/<str:code>/children/", units.unit_children, name="unit-children"),
    path("units/<str:code>/support-points/new/", support_points.support_point_new, name="support-point-new"),
    path("support-points/<int:point_id>/edit/", support_points.support_point_edit, name="support-point-edit"),
]
