"""Forms of the hazard pages: they validate and normalise, and never touch the database.

Choices that depend on the user (which grids and communities) come from the view. The services check every
rule again; their Chinese messages land on the field they name.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.models import RiskLevel
from linli.core.limits import text_limit
from linli.safety.forms.disputes import _date_field, _text, _yes_no
from linli.safety.models import Hazard, HazardRecheck

# The longest period the hazard summary covers.
MAX_SUMMARY_DAYS = 366


class HazardForm(forms.Form):
    unit = forms.ChoiceField(label=_("网格/社区"), error_messages={"required": "请选择网格或社区"})
    kind = forms.ChoiceField(
        label=_("隐患类型"), choices=Hazard.Kind.choices, error_messages={"required": "请选择隐患类型"}
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级"),
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        initial=RiskLevel.LOW,
        error_messages={"required": "请选择风险等级"},
    )
    source = forms.ChoiceField(
        label=_("发现途径"),
        choices=Hazard.Source.choices,
        initial=Hazard.Source.CHECK,
        error_messages={"required": "请选择发现途径"},
    )
    description = _text(
        "隐患描述",
        text_limit(Hazard, "description"),
        required=True,
        rows=3,
        placeholder="如 楼道堆放电动车电池",
    )
    place = _text("具体位置", text_limit(Hazard, "place"), placeholder="如 12号楼一单元楼道")
    responsible_party = _text(
        "整改责任方",
        text_limit(Hazard, "responsible_party"),
        required=True,
        placeholder="住户、商户或物业公司名称",
    )
    found_on = _date_field("发现日期")
    deadline = _date_field("整改期限")

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = places
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("found_on", today)
            self.initial.setdefault("deadline", today + datetime.timedelta(days=7))
            if len(places) == 1:
                self.initial.setdefault("unit", places[0][0])


class RecheckForm(forms.Form):
    cleared = forms.TypedChoiceField(
        label=_("复查结果"),
        choices=[("1", _("已整改")), ("0", _("未整改完成"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        initial="1",
        empty_value=None,
        error_messages={"required": "请选择复查结果"},
    )
    note = _text(
        "复查情况", text_limit(HazardRecheck, "note"), rows=2, placeholder="未整改完成的，写明还差什么"
    )
    new_deadline = _date_field("新的整改期限", required=False)


class SummaryPeriodForm(forms.Form):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`; this month up to today without it."""

    def __init__(self, data: Any = None, *, today: datetime.date) -> None:
        super().__init__(data)
        self.today = today
        self.fields["from"] = _date_field("开始日期", required=False)
        self.fields["to"] = _date_field("结束日期", required=False)
        self.initial = {"from": today.replace(day=1), "to": today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if end and end > self.today:
            raise forms.ValidationError("结束日期不能晚于今天")
        if start and start > self.today:
            raise forms.ValidationError("开始日期不能晚于今天")
        if start and end and end < start:
            raise forms.ValidationError("结束日期不能早于开始日期")
        if start and end and (end - start).days >= MAX_SUMMARY_DAYS:
            raise forms.ValidationError("统计期间最长一年")
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for, or this month when nothing (or something invalid) was given."""
        if not self.is_bound or not self.is_valid():
            return self.today.replace(day=1), self.today
        end = self.cleaned_data.get("to") or self.today
        start = self.cleaned_data.get("from") or end.replace(day=1)
        return min(start, end), end
