"""A request category as district admins configure it."""

from __future__ import annotations

from django import forms

from linli.needs.forms.requests import limited_field
from linli.needs.models import Urgency
from linli.needs.services.categories import CODE_MAX, CODE_RULE, DESCRIPTION_MAX, NAME_MAX
from linli.needs.services.requests import HANDOFF_BODY_MAX


class CategoryForm(forms.Form):
    code = forms.CharField(label="编码", max_length=CODE_MAX, error_messages={"max_length": CODE_RULE})
    name = limited_field("名称", "类别名称", NAME_MAX)
    default_urgency = forms.ChoiceField(label="默认紧急程度", choices=Urgency.choices)
    deadline_hours = forms.IntegerField(
        label="每级办理时限（小时，可空）",
        required=False,
        error_messages={"invalid": "请填写整数小时"},
    )
    handoff_body = limited_field("主管部门（可空）", "主管部门", HANDOFF_BODY_MAX, required=False)
    description = limited_field("说明", "说明", DESCRIPTION_MAX, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
