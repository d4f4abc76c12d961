from __future__ import annotations

from django import forms


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
