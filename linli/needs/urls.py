from __future__ import annotations

from django.urls import path

from linli.needs.views import categories, indicators, requests, typical_cases

urlpatterns = [
    path("", requests.request_queue_page, name="request-queue"),
    path("new/", requests.request_new, name="request-new"),
    path("typical/", typical_cases.typical_list, name="request-typical-list"),
    path("typical/<int:request_id>/", typical_cases.typical_mark, name="request-typical-mark"),
    path("cases/", typical_cases.cases_list, name="request-cases"),
    path("categories/", categories.category_list, name="request-categories"),
    path("rates/<str:code>/", indicators.request_rates_page, name="request-rates"),
    path("<int:request_id>/", requests.request_detail, name="request-detail"),
    path(
        "<int:request_id>/attachments/<int:attachment_id>",
        requests.request_attachment,
        name="request-attachment",
    ),
    path("<int:request_id>/<slug:action>/", requests.request_action, name="request-action"),
]
