from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    label = forms.CharField(label="设备名称", max_length=50, strip=True)
