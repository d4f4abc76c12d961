"""Reads the request pages need beyond `selectors`: the units a user files in, the route's last step,
deadline wording, the rating link, the public grid page and the published typical cases.

Each takes the user (or an object the caller has already accessed through a selector) like a selector.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.roles import ROLE_CAPABILITIES, Capability
from linli.accounts.selectors import scope_for
from linli.core import paths
from linli.needs.models import Request, RequestAttachment, RequestCategory
from linli.org.models import Unit

_RATING_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
FILING_KINDS = (Unit.Kind.COMMUNITY, Unit.Kind.GRID)


def active_categories() -> list[RequestCategory]:
    return list(RequestCategory.objects.filter(is_active=True).order_by("sort_order", "id"))


def _filing_roots(user: Any) -> list[str]:
    return paths.collapse(
        g.path
        for g in scope_for(user).grants
        if g.unit_kind in Unit.GEOGRAPHIC_KINDS
        and Capability.HANDLE_REQUESTS in ROLE_CAPABILITIES.get(g.role, frozenset())
    )


def may_file_anywhere(user: Any) -> bool:
    return bool(_filing_roots(user))


def fileable_units(*, user: Any, limit: int) -> list[Unit] | None:
    """Communities and grids the user may file requests in, by path; None when there are more than
    `limit` (a district's thousands of grids make no usable list: the form asks for the code instead)."""
    roots = _filing_roots(user)
    if not roots:
        return []
    units = list(
        Unit.objects.filter(paths.any_subtree_q("path", roots), kind__in=FILING_KINDS, is_active=True)
        .select_related("parent")
        .order_by("path")[: limit + 1]
    )
    return None if len(units) > limit else units


def fileable_unit(*, user: Any, code: str) -> Unit | None:
    """One unit by code where the user may file; None when absent or not theirs."""
    unit = Unit.objects.select_related("parent").filter(code=code, is_active=True).first()
    if unit is None or unit.kind not in FILING_KINDS:
        return None
    if not scope_for(user).can(Capability.HANDLE_REQUESTS, unit.path):
        return None
    return unit


def unit_at(path: str) -> Unit | None:
    return Unit.objects.filter(path=path).first()


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


def request_for_rating(token: str) -> Request | None:
    """The solved request a rating link belongs to; None for an unknown, used or malformed link."""
    if not _RATING_TOKEN.match(token):
        return None
    return (
        Request.objects.select_related("category")
        .filter(rating_token=token, state=Request.State.SOLVED)
        .first()
    )


def public_grid(code: str) -> Unit:
    """The grid of a public intake page: any other unit, or an inactive grid, is "not found"."""
    unit = (
        Unit.objects.filter(code=code, kind=Unit.Kind.GRID, is_active=True).select_related("parent").first()
    )
    if unit is None:
        raise Http404
    return unit


def attachment_of(request: Request, attachment_id: int) -> RequestAttachment:
    """An attachment of a request the caller has accessed; one of another request is "not found"."""
    found = RequestAttachment.objects.filter(pk=attachment_id, event__request=request).first()
    if found is None:
        raise Http404
    return found


def community_of(unit: Unit) -> Unit:
    """A grid's community (select_related("unit__parent") keeps this free); a community itself."""
    return unit.parent if unit.kind == Unit.Kind.GRID and unit.parent is not None else unit


def unit_label(unit: Unit) -> str:
    """A grid's name with its community's (there is a 第一网格 in every community)."""
    if unit.kind == Unit.Kind.GRID and unit.parent is not None:
        return f"{unit.parent.name}{unit.name}"
    return unit.name


def published_cases(*, user: Any) -> QuerySet[Request]:
    """Typical cases of the districts the user works in: title and write-up, nothing personal."""
    districts = sorted({g.path.split(paths.SEPARATOR)[0] for g in scope_for(user).grants})
    if not districts:
        return Request.objects.none()
    return (
        Request.objects.filter(paths.any_subtree_q("unit_path", districts), is_typical=True)
        .select_related("category")
        .order_by("-typical_marked_at", "-id")
    )
