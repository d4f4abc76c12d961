"""What the request pages show beyond the selectors: deadline wording, unit labels, the rating link and
its QR code. Reads that decide who sees what live in `selectors`."""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from linli.needs.models import Request


@dataclass(frozen=True)
class Deadline:
    text: str
    overdue: bool


def _amount(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, math.ceil(seconds / 60))} 分钟"
    return f"{int(seconds // 3600)} 小时"


def deadline_of(request: Request, now: datetime.datetime | None = None) -> Deadline | None:
    """ "超时 N 小时" or "剩余 N 小时" for an open request; None once it is solved."""
    if request.state != Request.State.OPEN:
        return None
    left = (request.deadline_at - (now or timezone.now())).total_seconds()
    if left < 0:
        return Deadline(f"超时 {_amount(-left)}", True)
    if left >= 3600:
        # A fresh 72-hour request reads "剩余 72 小时", not 71.
        return Deadline(f"剩余 {math.ceil(left / 3600)} 小时", False)
    return Deadline(f"剩余 {_amount(left)}", False)


def scalable_qr_svg(url: str) -> str:
    """The project's inline QR (care.lovecards.qr_svg) with a viewBox, so that CSS can size it."""
    from linli.care.lovecards import qr_svg

    svg = qr_svg(url)
    size = re.search(r'<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"', svg)
    if size is None:
        return svg
    return svg.replace("<svg ", f'<svg viewBox="0 0 {size.group(1)} {size.group(2)}" ', 1)


def rating_url(request: Request, *, base_url: str) -> str:
    """The resident's rating link; LINLI_PUBLIC_BASE_URL when the staff's address is not public."""
    return f"{(settings.LINLI_PUBLIC_BASE_URL or base_url).rstrip('/')}/r/{request.rating_token}"
