"""Forms of the care pages: they validate and normalise, and never touch the database."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.models import Contact
from linli.care.selectors.indicators import DEFAULT_WEEKS, MAX_WEEKS, Period, last_full_weeks, period_between
from linli.care.services.contacts import MAX_BACKDATE

_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def _reached(value: str) -> bool:
    return value == "1"


class ContactForm(forms.Form):
    """One contact as a grid worker records it on a phone; the time is Asia/Shanghai wall-clock time."""

    kind = forms.ChoiceField(
        label=_("方式"), choices=Contact.Kind.choices, widget=forms.RadioSelect, initial=Contact.Kind.VISIT
    )
    reached = forms.TypedChoiceField(
        label=_("是否联系上"),
        choices=[("1", _("联系上")), ("0", _("未联系上"))],
        coerce=_reached,
        widget=forms.RadioSelect,
        initial="1",
        empty_value=None,
    )
    occurred_at = forms.DateTimeField(
        label=_("联系时间"),
        input_formats=[_LOCAL_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_INPUT),
        error_messages={"required": _("请填写联系时间"), "invalid": _("联系时间格式不正确")},
    )
    outcome = forms.CharField(
        label=_("情况"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "身体、生活、精神状况"}),
    )
    needs_found = forms.CharField(
        label=_("发现需求"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如助餐、就医陪同、维修"}),
    )
    hazards_found = forms.CharField(
        label=_("发现隐患"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如燃气、用电、消防通道"}),
    )
    is_emergency = forms.BooleanField(label=_("紧急情况，需要立即处置"), required=False)
    companions = forms.CharField(
        label=_("同行人员"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如社区民警、家庭医生"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime(timezone.now(), timezone.get_default_timezone())
        widget = self.fields["occurred_at"].widget
        # Hints for the phone's picker; the service checks the same bounds.
        widget.attrs["max"] = now.strftime(_LOCAL_INPUT)
        widget.attrs["min"] = (now - MAX_BACKDATE + datetime.timedelta(minutes=1)).strftime(_LOCAL_INPUT)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now.strftime(_LOCAL_INPUT))

    def clean_occurred_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["occurred_at"]
        # What was typed is a time on a clock in Shanghai, whatever time zone the request runs in.
        return timezone.make_aware(value.replace(tzinfo=None), timezone.get_default_timezone())

    def clean_outcome(self) -> str:
        return self.cleaned_data["outcome"].strip()

    def clean_needs_found(self) -> str:
        return self.cleaned_data["needs_found"].strip()

    def clean_hazards_found(self) -> str:
        return self.cleaned_data["hazards_found"].strip()

    def clean_companions(self) -> str:
        return self.cleaned_data["companions"].strip()


class PeriodForm(forms.Form):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, widened to whole ISO weeks; the last four full weeks without it."""

    def __init__(self, data: Any = None, *, today: datetime.date) -> None:
        super().__init__(data)
        self.today = today
        default = last_full_weeks(today)
        messages = {"invalid": _("日期格式应为 YYYY-MM-DD")}
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(
            label=_("从"), required=False, input_formats=["%Y-%m-%d"], widget=date_input,
            error_messages=messages,
        )  # fmt: skip
        self.fields["to"] = forms.DateField(
            label=_("到"), required=False, input_formats=["%Y-%m-%d"], widget=date_input,
            error_messages=messages,
        )  # fmt: skip
        self.initial = {"from": default.start, "to": default.end}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期"))
        if start and end and (end - start).days > 7 * MAX_WEEKS:
            raise forms.ValidationError(_("统计期间最长一年"))
        return data

    def period(self) -> Period:
        """The period asked for, or the default when nothing (or something invalid) was given."""
        default = last_full_weeks(self.today)
        if not self.is_bound or not self.is_valid():
            return default
        end = self.cleaned_data.get("to") or self.today
        start = self.cleaned_data.get("from") or end - datetime.timedelta(days=7 * DEFAULT_WEEKS - 1)
        return period_between(start, end, today=self.today)
