from __future__ import annotations

from django import forms

from linli.accounts.models import ADMIN_REASON_MAX_LENGTH
from linli.core.limits import too_long


class ReasonForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("unlock", "解除锁定"),
            ("reset_2fa", "重置两步验证"),
            ("force_password", "要求修改口令"),
            ("revoke_tokens", "撤销全部接口令牌"),
        ]
    )
    reason = forms.CharField(
        label="原因",
        max_length=ADMIN_REASON_MAX_LENGTH,
        strip=True,
        error_messages={"max_length": too_long(ADMIN_REASON_MAX_LENGTH)},
    )
