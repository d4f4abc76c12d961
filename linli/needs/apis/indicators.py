"""The /api/v1/ request indicators of a unit's children (S6, A2)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError

from linli.accounts.selectors.scope import scope_for
from linli.api.errors import problem_body
from linli.api.schemas import ProblemOut, UnitRef
from linli.core.users import signed_in
from linli.needs.apis.requests import _date
from linli.needs.selectors.indicators import RequestRates, request_rates
from linli.org.models import Unit
from linli.org.selectors.units import children_visible_to, get_unit_for_user

router = Router(tags=["群众诉求"])


def _ratio(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class RatesOut(Schema):
    unit: UnitRef | None
    label: str
    total: int
    open: int
    # Solved at some point (waiting for the rating, or closed since).
    solved: int
    closed: int
    escalated: int
    solved_on_time: int
    on_time_rate: float | None
    rated: int
    average_satisfaction: float | None
    satisfied: int
    satisfied_share: float | None

    @staticmethod
    def resolve_on_time_rate(obj: RequestRates) -> float | None:
        return _ratio(obj.on_time_rate, 4)

    @staticmethod
    def resolve_average_satisfaction(obj: RequestRates) -> float | None:
        return _ratio(obj.average_satisfaction, 2)

    @staticmethod
    def resolve_satisfied_share(obj: RequestRates) -> float | None:
        return _ratio(obj.satisfied_share, 4)


class IndicatorsOut(Schema):
    unit: UnitRef
    start: datetime.date
    end: datetime.date
    rows: list[RatesOut]
    # The unit itself: its children plus what was filed at the unit directly.
    total: RatesOut


class IndicatorFilters(Schema):
    unit: str = Field("", validate_default=True)
    start: datetime.date | None = None
    end: datetime.date | None = None

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("unit", "请指定单位编码（unit）")
        return value.strip()

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _date(value)

    @model_validator(mode="after")
    def _period(self) -> IndicatorFilters:
        if self.start and self.end and self.start > self.end:
            raise PydanticCustomError("period", "开始日期不能晚于结束日期")
        return self


# Without dates, indicators cover the last thirty days, today included.
DEFAULT_DAYS = 30


@router.get("/requests/indicators", response={200: IndicatorsOut, 422: ProblemOut})
def request_indicators(request: HttpRequest, filters: Query[IndicatorFilters]) -> Status[dict[str, Any]]:
    """Per child unit of `unit`: requests filed from `start` to `end` (default: the last 30 days) that
    arose there, how many were solved on time, escalated, rated, and how satisfied residents were.

    For the units whose requests the caller reads (a department or the political office gets 404).
    """
    user = signed_in(request.user)
    unit = get_unit_for_user(user, filters.unit)
    if unit.kind not in Unit.GEOGRAPHIC_KINDS or not scope_for(user).covers(unit.path):
        raise Http404
    end = filters.end or timezone.localdate()
    start = filters.start or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        return Status(422, problem_body("开始日期不能晚于结束日期", field="start", where="query"))
    children = list(children_visible_to(user=user, unit=unit))
    rows = request_rates(units=children, start=start, end=end)
    (total,) = request_rates(units=[unit], start=start, end=end)
    return Status(200, {"unit": unit, "start": start, "end": end, "rows": rows, "total": total})
