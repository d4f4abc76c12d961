"""A request category as district admins configure it."""

from __future__ import annotations

from django import forms

from linli.needs.models import Urgency


class CategoryForm(forms.Form):
    code = forms.CharField(label="编码", max_length=40)
    name = forms.CharField(label="名称", max_length=50)
    default_urgency = forms.ChoiceField(label="默认紧急程度", choices=Urgency.choices)
    deadline_hours = forms.IntegerField(
        label="每级办理时限（小时，可空）",
        required=False,
        error_messages={"invalid": "请填写整数小时"},
    )
    handoff_body = forms.CharField(label="主管部门（可空）", max_length=100, required=False)
    description = forms.CharField(label="说明", max_length=200, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
