"""Request categories: their default urgency, deadline per level and outside body (district admins)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction

from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.core.limits import text_limit
from linli.needs.models import RequestCategory, Urgency
from linli.needs.services.requests import HANDOFF_BODY_MAX, _text

if TYPE_CHECKING:
    from linli.accounts.models import User

CODE_MAX = text_limit(RequestCategory, "code")
NAME_MAX = text_limit(RequestCategory, "name")
DESCRIPTION_MAX = text_limit(RequestCategory, "description")
CODE_RULE = f"编码应为 2 至 {CODE_MAX} 位小写字母、数字或下划线，以字母开头"


@transaction.atomic
def request_category_set(
    *,
    actor: User | None,
    code: str,
    name: str,
    default_urgency: str,
    deadline_hours: int | None = None,
    handoff_body: str = "",
    description: str = "",
    is_active: bool = True,
) -> RequestCategory:
    """Add or change a category (deployment-wide, district admins only). Requests already filed keep
    their deadline; the new limit applies from the next level that receives one."""
    from linli.accounts.models import Role

    if actor is not None and not scope_for(actor).has_role(Role.DISTRICT_ADMIN):
        raise ServiceError("只有区级管理员可以修改诉求类别")
    code = (code or "").strip().lower()
    if not re.fullmatch(rf"[a-z][a-z0-9_]{{1,{CODE_MAX - 1}}}", code):
        raise ServiceError(CODE_RULE, field="code")
    name = _text(name, field="name", what="类别名称", limit=NAME_MAX)
    if default_urgency not in Urgency.values:
        raise ServiceError("紧急程度无效", field="default_urgency")
    if deadline_hours is not None and not 1 <= deadline_hours <= 24 * 30:
        raise ServiceError("每级办理时限应在 1 至 720 小时之间", field="deadline_hours")
    handoff_body = _text(
        handoff_body, field="handoff_body", what="主管部门", required=False, limit=HANDOFF_BODY_MAX
    )
    description = _text(description, field="description", what="说明", required=False, limit=DESCRIPTION_MAX)
    category, created = RequestCategory.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": (RequestCategory.objects.count() + 1) * 10}
    )
    category.name = name
    category.default_urgency = default_urgency
    category.deadline_hours = deadline_hours
    category.handoff_body = handoff_body
    category.description = description
    category.is_active = is_active
    category.save()
    audit_record(
        actor=actor,
        action="request_category.create" if created else "request_category.change",
        obj=category,
        detail={"code": code, "urgency": default_urgency, "hours": deadline_hours, "active": is_active},
    )
    return category
