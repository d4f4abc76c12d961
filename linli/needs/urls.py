from __future__ import annotations

from django.urls import path

from linli.needs import manage_views, views

urlpatterns = [
    path("", views.request_queue_page, name="request-queue"),
    path("new/", views.request_new, name="request-new"),
    path("typical/", views.typical_list, name="request-typical-list"),
    path("typical/<int:request_id>/", views.typical_mark, name="request-typical-mark"),
    path("cases/", views.cases_list, name="request-cases"),
    path("categories/", manage_views.category_list, name="request-categories"),
    path("rates/<str:code>/", manage_views.request_rates_page, name="request-rates"),
    path("<int:request_id>/", views.request_detail, name="request-detail"),
    path(
        "<int:request_id>/attachments/<int:attachment_id>",
        views.request_attachment,
        name="request-attachment",
    ),
    path("<int:request_id>/<slug:action>/", views.request_action, name="request-action"),
]
