"""The period of the request indicators page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 30

MAX_DAYS = 366


class RatesPeriodForm(forms.Form):
    start = forms.DateField(
        label="从",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )
    end = forms.DateField(
        label="到",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            raise forms.ValidationError("结束日期不能早于开始日期")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError("统计期间最长一年")
        data["start"], data["end"] = start, end
        return data
