"""The period of the on-time rates, as the care pages ask for it."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.care.selectors.indicators import DEFAULT_WEEKS, MAX_WEEKS, Period, last_full_weeks, period_between


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
