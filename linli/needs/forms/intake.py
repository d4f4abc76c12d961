"""The public grid intake page's form: a resident files a request without an account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.needs.forms.requests import _nfkc, _text_field, limited_field
from linli.needs.models import RequestCategory
from linli.needs.services.requests import CALLER_NAME_MAX, CALLER_PHONE_MAX, PLACE_TEXT_MAX, TEXT_MAX


class PublicAskForm(forms.Form):
    """A resident's own request on a grid's public page; the phone is required to reach them."""

    category = forms.TypedChoiceField(
        label=_("类别"),
        coerce=int,
        error_messages={"required": "请选择诉求类别", "invalid_choice": "请选择诉求类别"},
    )
    text = _text_field(
        _("您的诉求"), "诉求内容", max_length=TEXT_MAX, rows=5, placeholder="请说明遇到的问题和需要的帮助"
    )
    caller_name = limited_field(_("您的称呼"), "诉求人姓名", CALLER_NAME_MAX, required=False)
    caller_phone = limited_field(
        _("联系电话"),
        "诉求人电话",
        CALLER_PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写联系电话，网格员会与您联系"},
    )
    place_text = limited_field(
        _("地点"),
        "地点说明",
        PLACE_TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：某小区3号楼"}),
    )
    # People never see this field (hidden by the stylesheet); scripts that fill every field do.
    website = forms.CharField(
        label=_("网址（请勿填写）"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    answer = forms.IntegerField(
        label=_("验证问题"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "3"}),
        error_messages={"required": "请回答验证问题", "invalid": "验证问题请填写数字"},
    )
    challenge = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, categories: Sequence[RequestCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.TypedChoiceField)
        category_field.choices = [("", "请选择")] + [(c.pk, c.name) for c in categories]

    def clean_caller_name(self) -> str:
        return _nfkc(self.cleaned_data["caller_name"])

    def clean_answer(self) -> int:
        return int(self.cleaned_data["answer"])
