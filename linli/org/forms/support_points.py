from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.org.models import SupportPoint


class SupportPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=SupportPoint.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.RegexField(
        label=_("电话"),
        max_length=30,
        required=False,
        regex=r"^[0-9+\-() ]{3,30}$",
        error_messages={"invalid": _("电话只能包含数字、空格和 + - ( )")},
    )
    opening_hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写名称"))
        return name
