from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from linli.accounts import views as account_views
from linli.accounts.views import LoginView, home
from linli.api.main import api
from linli.audit.views.events import audit_export, audit_log
from linli.core.views import bench_baseline


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path("account/2fa/", account_views.otp_verify, name="otp-verify"),
    path("account/2fa/setup/", account_views.otp_setup, name="otp-setup"),
    path("account/2fa/recovery-codes/", account_views.recovery_codes_renew, name="recovery-codes-renew"),
    path("account/password/", account_views.password_change, name="password-change"),
    path("account/tokens/", account_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_views.token_revoke, name="token-revoke"),
    path("account/security/", account_views.security, name="security"),
    path("account/security/<str:username>/", account_views.security_action, name="security-action"),
    path("audit/", audit_log, name="audit-log"),
    path("audit/export/", audit_export, name="audit-export"),
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
