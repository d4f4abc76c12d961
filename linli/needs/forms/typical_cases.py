"""The political department's write-up of a typical case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.needs.forms.requests import _text_field, limited_field
from linli.needs.services.typical_cases import TITLE_MAX, WRITEUP_MAX


class TypicalForm(forms.Form):
    title = limited_field(_("案例标题"), "案例标题", TITLE_MAX, error_messages={"required": "请填写案例标题"})
    writeup = _text_field(
        _("案例材料"),
        "案例材料",
        max_length=WRITEUP_MAX,
        rows=6,
        placeholder="不写姓名、电话、证件号，用“某某”代替",
    )
