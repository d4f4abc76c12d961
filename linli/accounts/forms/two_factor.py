from __future__ import annotations

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=20, strip=True)
