from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message whether the username is unknown or the password wrong.
    error_messages = {
        "invalid_login": _("用户名或口令不正确。"),
        "inactive": _("用户名或口令不正确。"),
    }
