from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message whether the username is unknown or the password wrong.
    error_messages = {
        "invalid_login": _("用户名或口令不正确。"),
        "inactive": _("用户名或口令不正确。"),
    }


class CodeForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=20, strip=True)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原口令", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新口令", strip=False, widget=forms.PasswordInput)
    new_password_again = forms.CharField(label="再输一次新口令", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "两次输入的新口令不一致")
        return data


class TokenForm(forms.Form):
    label = forms.CharField(label="设备名称", max_length=50, strip=True)


class ReasonForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("unlock", "解除锁定"),
            ("reset_2fa", "重置两步验证"),
            ("force_password", "要求修改口令"),
            ("revoke_tokens", "撤销全部接口令牌"),
        ]
    )
    reason = forms.CharField(label="原因", max_length=200, strip=True)
