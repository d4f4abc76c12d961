"""Forms of the request pages: they validate and normalise, and never touch the database.

Choices that come from the database (categories, units) are handed in by the view; the forms turn the
posted value back into one of those objects. The services check again (types and sizes of attachments,
phone numbers, who may do what), and their Chinese messages are shown on the same fields.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from linli.core.limits import too_long
from linli.needs.forms.ratings import SatisfactionFields
from linli.needs.models import Channel, Request, RequestCategory, Urgency
from linli.needs.services.requests import (
    ATTACHMENTS_MAX,
    CALLER_NAME_MAX,
    CALLER_PHONE_MAX,
    CLOSING_METHODS,
    HANDOFF_BODY_MAX,
    NOTE_MAX,
    PLACE_TEXT_MAX,
    SOLUTION_MAX,
    TEXT_MAX,
)
from linli.org.models import Unit

ATTACHMENT_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


def _nfkc(value: str) -> str:
    # Full-width digits and letters, as Chinese input methods type them, become ASCII.
    return unicodedata.normalize("NFKC", value or "").strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several photos or PDFs from one file input; the service checks their type and size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT, "class": "attachments"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片或文件"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > ATTACHMENTS_MAX:
            raise forms.ValidationError(f"每次最多上传{ATTACHMENTS_MAX}个附件")
        return [super(AttachmentsField, self).clean(f, initial) for f in files]


def _text_field(label: Any, what: str, *, max_length: int, rows: int = 3, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
        error_messages={"required": f"请填写{what}", "max_length": too_long(max_length, what)},
    )


def limited_field(label: Any, what: str, max_length: int, **kwargs: Any) -> Any:
    """A one-line text field refusing what the service refuses, with the service's message."""
    kwargs.setdefault("error_messages", {})["max_length"] = too_long(max_length, what)
    return forms.CharField(label=label, max_length=max_length, **kwargs)


class RequestFileForm(forms.Form):
    """A request as a member records it: what, who asked, where, and photos. The category is its id
    among the active ones, the unit its code: `filing_resolve` reads both.

    `units` is the list of communities and grids the user may file in, or None when there are too many
    to list (the unit is then typed as its code and looked up by the view).
    """

    category = forms.TypedChoiceField(
        label=_("类别"),
        coerce=int,
        error_messages={"required": "请选择诉求类别", "invalid_choice": "请选择诉求类别"},
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[(v, label) for v, label in Channel.choices if v != Channel.PUBLIC],
        initial=Channel.VISIT,
        error_messages={"required": "请选择来源渠道", "invalid_choice": "来源渠道无效"},
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=[("", _("按类别默认")), *Urgency.choices],
        required=False,
        error_messages={"invalid_choice": "紧急程度无效"},
    )
    text = _text_field(
        _("诉求内容"), "诉求内容", max_length=TEXT_MAX, rows=4, placeholder="群众反映的问题和需要的帮助"
    )
    caller_name = limited_field(_("诉求人姓名"), "诉求人姓名", CALLER_NAME_MAX, required=False)
    caller_phone = limited_field(
        _("诉求人电话"),
        "诉求人电话",
        CALLER_PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        error_messages={"required": "请填写诉求人电话，便于回访"},
    )
    unit = forms.CharField(
        label=_("所在网格/社区"), max_length=64, error_messages={"required": "请选择网格或社区"}
    )
    place_text = limited_field(
        _("地点说明"),
        "地点说明",
        PLACE_TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：3号楼2单元门口"}),
    )
    attachments = AttachmentsField()

    def __init__(
        self,
        *args: Any,
        categories: Sequence[RequestCategory],
        units: Sequence[Unit] | None,
        resident_name: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.TypedChoiceField)
        category_field.choices = [("", "请选择")] + [
            (c.pk, f"{c.name}（默认{c.get_default_urgency_display()}）") for c in categories
        ]
        if units is not None:
            unit_choices: list[Any] = [("", "请选择")]
            groups: dict[str, list[tuple[str, str]]] = {}
            for unit in units:
                if unit.kind == Unit.Kind.COMMUNITY:
                    groups.setdefault(unit.name, []).insert(0, (unit.code, f"{unit.name}（整个社区）"))
                else:
                    parent = unit.parent.name if unit.parent is not None else ""
                    groups.setdefault(parent, []).append((unit.code, f"{parent} {unit.name}"))
            unit_choices += list(groups.items())
            self.fields["unit"].widget = forms.Select(choices=unit_choices)
        else:
            self.fields["unit"].widget.attrs.update(
                {"placeholder": "网格或社区编码，如 310120.01.001.01", "autocomplete": "off"}
            )
            self.fields["unit"].help_text = "您的辖区网格较多，请填写网格或社区编码"
        if resident_name:
            # Filed for a registered resident (from a key person): the caller is that resident.
            for name in ("caller_name", "caller_phone", "unit"):
                del self.fields[name]

    def clean_caller_name(self) -> str:
        return _nfkc(self.cleaned_data["caller_name"])

    def clean_unit(self) -> str:
        code = _nfkc(self.cleaned_data["unit"])
        if self.units is not None and code not in {u.code for u in self.units}:
            raise forms.ValidationError("请选择诉求所在的网格或社区")
        return code


class VersionForm(forms.Form):
    """Every action on a request carries the version the person saw (see ChangedByOthers)."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": "页面已过期，请刷新后再操作",
            "invalid": "页面已过期，请刷新后再操作",
            "min_value": "页面已过期，请刷新后再操作",
        },
    )


class AcceptForm(VersionForm):
    pass


class NoteForm(forms.Form):
    note = _text_field(_("补充说明"), "说明", max_length=NOTE_MAX, placeholder="上门核实情况、联系进展等")
    attachments = AttachmentsField()


class EscalateForm(VersionForm):
    reason = _text_field(
        _("上报原因"), "上报原因", max_length=NOTE_MAX, placeholder="本级为什么解决不了，需要上级做什么"
    )


class ReturnForm(VersionForm):
    instructions = _text_field(_("退回意见"), "退回意见", max_length=NOTE_MAX, placeholder="请下级怎么办理")


class HandoffForm(VersionForm):
    body = limited_field(
        _("主管部门"), "主管部门", HANDOFF_BODY_MAX, error_messages={"required": "请填写主管部门"}
    )
    note = limited_field(
        _("移交说明"), "移交说明", NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandoffResponseForm(VersionForm):
    response = _text_field(_("主管部门答复"), "主管部门答复", max_length=NOTE_MAX)


class SolveForm(VersionForm):
    solution = _text_field(
        _("办理结果"), "办理结果", max_length=SOLUTION_MAX, placeholder="做了什么、结果如何"
    )
    attachments = AttachmentsField()


# Shorter than the model's labels: the form asks how the member asked.
_CLOSING_LABELS = {
    Request.FeedbackMethod.MEMBER: _("当面询问"),
    Request.FeedbackMethod.CALLBACK: _("电话回访"),
}


class CloseForm(VersionForm, SatisfactionFields):
    method = forms.ChoiceField(
        label=_("评价方式"),
        choices=[(method, _CLOSING_LABELS[method]) for method in CLOSING_METHODS],
        widget=forms.RadioSelect,
        initial=Request.FeedbackMethod.MEMBER,
        error_messages={"required": "请选择评价方式", "invalid_choice": "请选择评价方式"},
    )
