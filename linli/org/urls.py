from __future__ import annotations

from django.urls import path

from linli.org import views

urlpatterns = [
    path("units/", views.unit_tree, name="unit-tree"),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
    path("units/<str:code>/children/", views.unit_children, name="unit-children"),
    path("units/<str:code>/support-points/new/", views.support_point_new, name="support-point-new"),
    path("support-points/<int:point_id>/edit/", views.support_point_edit, name="support-point-edit"),
]
