"""The form of the import upload page: it validates and normalises, and never touches the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from linli.registry.models import ImportJob
from linli.registry.services.imports import jobs


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


class ImportUploadForm(forms.Form):
    """The file to import and where its people live. `grid_choices` (grouped by community) turns the
    grid code box into a select; without them the user types the code."""

    kind = forms.ChoiceField(
        label=_("数据类型"),
        choices=ImportJob.Kind.choices,
        initial=ImportJob.Kind.RESIDENTS,
    )
    grid = forms.RegexField(
        label=_("目标网格编码"),
        max_length=64,
        regex=r"^[0-9A-Za-z.]+$",
        error_messages={"invalid": _("网格编码只能包含数字、字母和点，如 310120.01.001.01")},
    )
    file = forms.FileField(
        label=_("文件（xlsx 或 csv）"),
        error_messages={"required": _("请选择要导入的文件"), "empty": _("文件是空的")},
    )

    def __init__(self, *args: Any, grid_choices: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grid_choices is not None:
            self.fields["grid"] = forms.ChoiceField(
                label=_("目标网格"), choices=[("", _("请选择网格")), *grid_choices]
            )
        self.fields["file"].widget.attrs["accept"] = ",".join(jobs.UPLOAD_SUFFIXES)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in jobs.UPLOAD_SUFFIXES:
            raise forms.ValidationError(_("只能导入 xlsx、xls 或 csv 文件"))
        limit = jobs.MAX_UPLOAD_BYTES
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("文件超过 %(mb)s MB 的上限，请拆分后导入") % {"mb": _megabytes(limit)}
            )
        return upload
