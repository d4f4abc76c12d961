"""Demo requests in the persona grids, walked through the real services so that every queue, the
ladder and the timeline have something to show: new, accepted, escalated to the community, to 南桥 and on
to 治安支队, from 头桥 to 经侦支队, solved and waiting for the rating, closed with satisfaction, one
typical case, one past its deadline. Idempotent: nothing is added where demo requests exist.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.needs.models import Channel, Request, RequestCategory
from linli.needs.services.requests import (
    request_accept,
    request_close,
    request_escalate,
    request_file,
    request_solve,
)
from linli.needs.services.typical_cases import request_mark_typical
from linli.org.models import Unit

NQ_GRID = "310120.01.001.01"
TQ_GRID = "310120.09.001.01"
AS_GRID = "150623.01.001.01"

# (grid, filer, category, channel, text, caller, phone, steps)
# steps: ("accept", user) | ("escalate", user, reason) | ("solve", user, solution) |
#        ("close", user, satisfaction, comment) | ("typical", user, title, writeup) | ("overdue",)
_PLAN: list[tuple[str, str, str, str, str, str, str, list[tuple[Any, ...]]]] = [
    (NQ_GRID, "grid-nq", "errands", Channel.WECHAT, "独居老人想请人代买一周的米面油，腿脚不便不能下楼。",
     "陈阿婆", "13916000001", []),
    (NQ_GRID, "grid-nq", "medicine_purchase", Channel.PHONE, "老人降压药快吃完了，子女在外地，请帮忙代购。",
     "周老伯", "13916000002", [("accept", "grid-nq")]),
    (NQ_GRID, "grid-nq", "utility_hazard", Channel.VISIT, "楼道燃气管有异味，物业电话打不通。",
     "吴先生", "13916000003", [("escalate", "grid-nq", "物业联系不上，需社区协调燃气公司上门")]),
    (NQ_GRID, "grid-nq", "temporary_housing", Channel.WALK_IN, "出租屋漏水严重，母女二人需要临时安置几天。",
     "郑女士", "13916000004",
     [("escalate", "grid-nq", "网格内无安置点"), ("escalate", "officer-nq", "社区安置点已满"),
      ("escalate", "nanqiao", "需分局协调区级安置资源")]),
    (NQ_GRID, "grid-nq", "hospital_registration", Channel.VISIT,
     "老人不会用手机，请帮忙预约下周眼科门诊并缴费。", "孙阿姨", "13916000005",
     [("solve", "grid-nq", "已代为预约下周二上午眼科门诊并完成缴费，短信已发给家属。")]),
    (NQ_GRID, "grid-nq", "medical_visit", Channel.PHONE, "卧床老人需要医生上门换药。",
     "冯老伯家属", "13916000006",
     [("solve", "grid-nq", "已联系社区卫生服务中心家庭医生，当天下午上门换药。"),
      ("close", "squad-nq", 5, "医生来得很快，谢谢网格员"),
      ("typical", "zhengzhi", "家庭医生当天上门换药",
       "卧床老人需要换药，网格员接到电话后立即联系家庭医生，当天下午上门处置，家属十分满意。")]),
    (NQ_GRID, "grid-nq", "supply_delivery", Channel.VOLUNTEER, "志愿者反映一户困难家庭缺少过冬棉被。",
     "志愿者小林", "13916000007", [("overdue",)]),
    (TQ_GRID, "grid-tq", "price_gouging", Channel.HOTLINE_12345, "附近药店口罩和退烧药价格比上周翻倍。",
     "褚先生", "13916000011",
     [("escalate", "grid-tq", "涉及市场价格，网格无法处理"),
      ("escalate", "mj-310120-09-001", "需派出所会同市场监管核查"),
      ("escalate", "touqiao", "涉嫌哄抬物价，请经侦支队协调")]),
    (TQ_GRID, "grid-tq", "dispute", Channel.VISIT, "楼上楼下因漏水赔偿发生争吵。",
     "卫女士", "13916000012", []),
    (AS_GRID, "grid-as", "escort", Channel.PHONE, "牧民需要送孕妇到旗医院待产，路远车少。",
     "巴特尔", "13916000021", []),
    (AS_GRID, "grid-as", "supply_delivery", Channel.WECHAT, "嘎查几户老人需要配送蔬菜。",
     "其其格", "13916000022",
     [("solve", "grid-as", "已协调嘎查合作社送菜到户。"), ("close", "angsu", 4, "")]),
]  # fmt: skip


@transaction.atomic
def load_needs_demo() -> dict[str, int]:
    grids = [NQ_GRID, TQ_GRID, AS_GRID]
    if Request.objects.filter(unit_path__in=grids).exists():
        return {}
    users = {u.username: u for u in User.objects.all().only("id", "username", "display_name", "phone")}
    units = {u.path: u for u in Unit.objects.filter(path__in=grids)}
    if len(units) != len(grids):
        return {}
    categories = {c.code: c for c in RequestCategory.objects.all()}
    filed = 0
    for grid, filer, code, channel, text, caller, phone, steps in _PLAN:
        request = request_file(
            actor=users[filer],
            category=categories[code],
            channel=channel,
            text=text,
            unit=units[grid],
            caller_name=caller,
            caller_phone=phone,
        )
        filed += 1
        for step in steps:
            request = _step(request, step, users)
    return {"群众诉求": filed}


def _step(request: Request, step: tuple[Any, ...], users: dict[str, User]) -> Request:
    action = step[0]
    if action == "accept":
        return request_accept(actor=users[step[1]], request=request, version=request.version)
    if action == "escalate":
        return request_escalate(
            actor=users[step[1]], request=request, version=request.version, reason=step[2]
        )
    if action == "solve":
        return request_solve(actor=users[step[1]], request=request, version=request.version, solution=step[2])
    if action == "close":
        return request_close(
            actor=users[step[1]],
            request=request,
            version=request.version,
            satisfaction=step[2],
            comment=step[3],
            method=Request.FeedbackMethod.CALLBACK,
        )
    if action == "typical":
        return request_mark_typical(actor=users[step[1]], request=request, title=step[2], writeup=step[3])
    if action == "overdue":
        # Filed yesterday with a day to act: the grid missed its deadline an hour ago.
        past = timezone.now() - datetime.timedelta(hours=25)
        Request.objects.filter(pk=request.pk).update(
            held_since=past, deadline_at=past + datetime.timedelta(hours=24), created_at=past
        )
        request.refresh_from_db()
        return request
    raise ValueError(action)
