from __future__ import annotations

from django import forms

from linli.accounts.models import ApiToken
from linli.core.limits import form_limit


class TokenForm(forms.Form):
    label = forms.CharField(label="设备名称", strip=True, **form_limit(ApiToken, "label"))
