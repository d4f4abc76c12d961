from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from linli.accounts.views import api_tokens, passwords, sessions, two_factor, users

urlpatterns = [
    path("", sessions.home, name="home"),
    path("login/", sessions.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", users.account, name="account"),
    path("account/2fa/", two_factor.otp_verify, name="otp-verify"),
    path("account/2fa/setup/", two_factor.otp_setup, name="otp-setup"),
    path("account/2fa/recovery-codes/", two_factor.recovery_codes_renew, name="recovery-codes-renew"),
    path("account/password/", passwords.password_change, name="password-change"),
    path("account/tokens/", api_tokens.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", api_tokens.token_revoke, name="token-revoke"),
    path("account/security/", users.security, name="security"),
    path("account/security/<str:username>/", users.security_action, name="security-action"),
]
