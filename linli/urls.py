from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from linli.accounts.views import LoginView, home
from linli.api.main import api
from linli.audit.views import audit_export, audit_log


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", audit_log, name="audit-log"),
    path("audit/export/", audit_export, name="audit-export"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("linli.org.urls")),
    path("", include("linli.care.lovecard_urls")),
    path("", include("linli.registry.urls")),
    path("care/", include("linli.care.urls")),
    path("requests/", include("linli.needs.urls")),
    path("", include("linli.needs.public_urls")),
    path("open311/v2/", include("linli.needs.open311")),
    path("safety/", include("linli.safety.urls")),
]

handler403 = "linli.core.views.forbidden"
handler404 = "linli.core.views.not_found"
