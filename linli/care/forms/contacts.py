"""The form of a contact as a grid worker records it: it validates and normalises, never touches the
database."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.models import Contact
from linli.care.services.contacts import MAX_BACKDATE
from linli.core.limits import limited_char_field

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
    outcome = limited_char_field(
        Contact,
        "outcome",
        label=_("情况"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "身体、生活、精神状况"}),
    )
    needs_found = limited_char_field(
        Contact,
        "needs_found",
        label=_("发现需求"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如助餐、就医陪同、维修"}),
    )
    hazards_found = limited_char_field(
        Contact,
        "hazards_found",
        label=_("发现隐患"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如燃气、用电、消防通道"}),
    )
    is_emergency = forms.BooleanField(label=_("紧急情况，需要立即处置"), required=False)
    companions = limited_char_field(
        Contact,
        "companions",
        label=_("同行人员"),
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
