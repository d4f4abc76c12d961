"""Forms of the resident pages: they validate and normalise, and never touch the database."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.limits import text_limit, too_long
from linli.lib.idcard import IdNumberError, parse_id_number
from linli.registry.models import REVEAL_REASON_MAX_LENGTH, Resident

NAME_MAX_LENGTH = text_limit(Resident, "name")


def _nfkc(value: str) -> str:
    # Full-width digits and letters, as Chinese input methods type them, become ASCII.
    return unicodedata.normalize("NFKC", value).strip()


class ResidentSearchForm(forms.Form):
    """Search by name (prefix) or by the last four digits of a phone: safe to carry in a URL."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        error_messages={"max_length": too_long(NAME_MAX_LENGTH)},
    )
    phone_last4 = forms.CharField(
        label=_("电话后四位"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        return _nfkc(self.cleaned_data["name"]).replace(" ", "")

    def clean_phone_last4(self) -> str:
        value = _nfkc(self.cleaned_data["phone_last4"])
        if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("请输入电话号码的后四位数字"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("name") or data.get("phone_last4")):
            raise forms.ValidationError(_("请输入姓名或电话后四位"))
        return data


class _NoEchoInput(forms.TextInput):
    """A text box that never writes its value back into the page (a full ID number stays off it)."""

    def format_value(self, value: Any) -> str | None:
        return None


class IdNumberSearchForm(forms.Form):
    """Search by a full ID number: posted in the body, never put in a URL or echoed in the page."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=40,
        widget=_NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("请输入身份证号")},
    )

    def clean_id_number(self) -> str:
        try:
            return parse_id_number(self.cleaned_data["id_number"]).number
        except IdNumberError as exc:
            raise forms.ValidationError(exc.message) from None


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("事由"),
        max_length=REVEAL_REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("如：入户走访需电话联系"), "autocomplete": "off"}),
        error_messages={
            "required": _("请填写查看完整号码的事由"),
            "max_length": too_long(REVEAL_REASON_MAX_LENGTH),
        },
    )
