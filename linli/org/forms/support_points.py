from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.limits import form_limit, text_limit, too_long
from linli.org.models import SupportPoint


class SupportPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=SupportPoint.Kind.choices)
    name = forms.CharField(label=_("名称"), **form_limit(SupportPoint, "name"))
    address = forms.CharField(label=_("地址"), required=False, **form_limit(SupportPoint, "address"))
    phone = forms.RegexField(
        label=_("电话"),
        max_length=text_limit(SupportPoint, "phone"),
        required=False,
        regex=r"^[0-9+\-() ]{3,}$",
        error_messages={
            "invalid": _("电话只能包含数字、空格和 + - ( )"),
            "max_length": too_long(text_limit(SupportPoint, "phone")),
        },
    )
    opening_hours = forms.CharField(
        label=_("开放时间"), required=False, **form_limit(SupportPoint, "opening_hours")
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写名称"))
        return name
