"""The resident's satisfaction, asked on the rating page (and by the member closing a request)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.limits import too_long
from linli.needs.services.requests import COMMENT_MAX

SATISFACTION_CHOICES = [
    ("5", _("很满意")),
    ("4", _("满意")),
    ("3", _("基本满意")),
    ("2", _("不满意")),
    ("1", _("很不满意")),
]


class SatisfactionFields(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择1到5分的满意度", "invalid_choice": "请选择1到5分的满意度"},
    )
    comment = forms.CharField(
        label=_("评价意见"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long(COMMENT_MAX, "评价意见")},
    )


class RateForm(SatisfactionFields):
    pass
