"""The root URL conf: every app's pages, and the API with every app's router (docs/architecture.md,
"Layers": the project layer is the only one that knows all the apps)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from ninja.security import django_auth

from linli.accounts.apis import router as accounts_api
from linli.accounts.apis.api_tokens import BearerAuth
from linli.api.main import new_api
from linli.care.apis import router as care_api
from linli.core.views import bench_baseline
from linli.needs.apis import router as needs_api
from linli.org.apis import router as org_api
from linli.registry.apis import router as registry_api
from linli.safety.apis import router as safety_api

api = new_api(auth=[BearerAuth(), django_auth])
for router in (accounts_api, org_api, registry_api, care_api, needs_api, safety_api):
    api.add_router("", router)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", include("linli.accounts.urls")),
    path("", include("linli.audit.urls")),
    path("healthz", healthz, name="healthz"),
    # The baseline of bench/http.py: the signed-in user's own username, through every middleware.
    path("bench/baseline", bench_baseline, name="bench-baseline"),
    path("api/v1/", api.urls),
    path("", include("linli.org.urls")),
    path("", include("linli.care.public_urls")),
    path("", include("linli.registry.urls")),
    path("care/", include("linli.care.urls")),
    path("requests/", include("linli.needs.urls")),
    path("", include("linli.needs.public_urls")),
    path("open311/v2/", include("linli.needs.apis.open311")),
    path("safety/", include("linli.safety.urls")),
]

handler403 = "linli.core.views.forbidden"
handler404 = "linli.core.views.not_found"
