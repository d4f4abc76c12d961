"""The political department's write-up of a typical case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.needs.forms.requests import _text_field


class TypicalForm(forms.Form):
    title = forms.CharField(
        label=_("案例标题"),
        max_length=100,
        error_messages={"required": "请填写案例标题", "max_length": "案例标题不能超过100字"},
    )
    writeup = _text_field(
        _("案例材料"), "案例材料", rows=6, placeholder="不写姓名、电话、证件号，用“某某”代替"
    )
