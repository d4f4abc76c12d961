"""Forms of the dispute pages: they validate and normalise, and never touch the database.

Choices that depend on the user (which grids and communities, whom to transfer to) come from the view.
The services check every rule again; their Chinese messages land on the field they name.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.limits import text_limit, too_long
from linli.safety.models import TRANSFER_REASON_MAX_LENGTH, Dispute, DisputeCheck, DisputeParty, Mediation
from linli.safety.services.disputes import PartyInput

PARTY_ROWS = 4
_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_FORMATS = ["%Y-%m-%d"]


def _date_field(label: str, *, required: bool = True, missing: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=_DATE_FORMATS,
        widget=_DATE_INPUT,
        error_messages={"required": missing or f"请填写{label}", "invalid": "日期格式应为 YYYY-MM-DD"},
    )


def _yes_no(value: str) -> bool:
    return value == "1"


def _text(
    label: str, limit: int, *, required: bool = False, rows: int = 0, placeholder: str = "", called: str = ""
) -> forms.CharField:
    """A text field of at most `limit` characters (the column's, `text_limit`); its messages name it as the
    service does (`called`, by default its label), so page, API and service refuse alike."""
    called = called or label
    attrs = {"placeholder": placeholder} if placeholder else {}
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=widget,
        error_messages={"required": f"请填写{called}", "max_length": too_long(limit, called)},
    )


class DisputeForm(forms.Form):
    """A dispute as the first handler logs it, with up to four parties."""

    unit = forms.ChoiceField(label=_("网格/社区"), error_messages={"required": "请选择网格或社区"})
    kind = forms.ChoiceField(
        label=_("纠纷类型"), choices=Dispute.Kind.choices, error_messages={"required": "请选择纠纷类型"}
    )
    occurred_on = _date_field("发生日期")
    place = _text("发生地点", text_limit(Dispute, "place"), placeholder="如 育秀路100弄12号楼下")
    summary = _text(
        "纠纷概况", text_limit(Dispute, "summary"), required=True, rows=3, placeholder="起因、经过、各方诉求"
    )
    resolved_on_spot = forms.BooleanField(label=_("已当场化解"), required=False)
    outcome = _text(
        "化解情况",
        text_limit(Mediation, "outcome"),
        rows=2,
        placeholder="当场化解的，写明各方同意的处理办法",
        called="当场化解的情况",
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = places
        for i in range(1, PARTY_ROWS + 1):
            self.fields[f"party_name_{i}"] = _text(
                f"当事人{i}姓名", text_limit(DisputeParty, "name"), called="当事人姓名"
            )
            self.fields[f"party_phone_{i}"] = forms.CharField(
                label=f"当事人{i}电话",
                max_length=text_limit(DisputeParty, "phone"),
                required=False,
                widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
                error_messages={"max_length": f"电话号码最多 {text_limit(DisputeParty, 'phone')} 位"},
            )
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            if len(places) == 1:
                self.initial.setdefault("unit", places[0][0])

    def party_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"party_name_{i}"], self[f"party_phone_{i}"]) for i in range(1, PARTY_ROWS + 1)]

    def parties(self) -> list[PartyInput]:
        return [
            PartyInput(self.cleaned_data[f"party_name_{i}"], self.cleaned_data[f"party_phone_{i}"])
            for i in range(1, PARTY_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resolved_on_spot") and not (data.get("outcome") or "").strip():
            self.add_error("outcome", "当场化解的请填写化解情况")
        return data


class TransferForm(forms.Form):
    to = forms.ChoiceField(label=_("移交给"), error_messages={"required": "请选择移交给谁"})
    reason = _text("移交说明", TRANSFER_REASON_MAX_LENGTH, placeholder="如 需社区民警联合调解")

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to"]).choices = candidates


class MediationForm(forms.Form):
    outcome = _text(
        "调解情况", text_limit(Mediation, "outcome"), required=True, rows=3, placeholder="调解经过、各方意见"
    )
    agreed = forms.TypedChoiceField(
        label=_("结果"),
        choices=[("1", _("达成协议")), ("0", _("未达成协议"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        initial="1",
        empty_value=None,
        error_messages={"required": "请选择是否达成协议"},
    )
    agreement_text = _text(
        "协议内容",
        text_limit(Mediation, "agreement_text"),
        rows=3,
        placeholder="各方同意的处理办法、赔偿、期限",
    )
    agreement_on = _date_field("协议日期", required=False)
    agreement_parties = _text(
        "协议各方",
        text_limit(Mediation, "agreement_parties"),
        placeholder="各方姓名，用顿号分隔",
        called="协议各方姓名",
    )

    def __init__(self, *args: Any, party_names: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("agreement_on", timezone.localdate())
            self.initial.setdefault("agreement_parties", party_names)


class CheckForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("协议是否履行"),
        choices=[("1", _("协议履行")), ("0", _("协议未履行"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        initial="1",
        empty_value=None,
        error_messages={"required": "请选择协议是否履行"},
    )
    note = _text(
        "回访情况", text_limit(DisputeCheck, "note"), rows=2, placeholder="未履行的，写明哪一方、哪一项"
    )
