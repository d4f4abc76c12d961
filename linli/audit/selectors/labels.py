"""How an audit event reads in Chinese: a label per action code and per object type, and a link to
the object where it has a page. An unknown code reads as itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from linli.audit.models import AuditEvent

ACTION_LABELS: dict[str, str] = {
    # Accounts and sign-in
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "auth.lockout": "账号锁定",
    "user.create": "创建账号",
    "user.update": "修改账号",
    "user.deactivate": "停用账号",
    "membership.grant": "授予角色",
    "membership.revoke": "撤销角色",
    "api_token.issue": "签发接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "password.change": "修改密码",
    "password.reset": "重置密码",
    "password.force_change": "要求下次登录修改密码",
    "account.unlock": "解除账号锁定",
    "api_token.revoke_all": "吊销全部接口令牌",
    "otp.recovery_codes": "生成双因素恢复码",
    "otp.enrol": "绑定双因素认证",
    "otp.reset": "重置双因素认证",
    "account.password_change": "修改密码",
    "account.password_reset": "重置密码",
    "account.force_password_change": "要求修改密码",
    "account.otp_enrol": "绑定双因素认证",
    "account.otp_reset": "重置双因素认证",
    "account.recovery_codes": "生成恢复码",
    "account.token_issue": "签发接口令牌",
    "account.token_revoke": "吊销接口令牌",
    "account.lockout": "账号锁定",
    # Organisation
    "unit.create": "新建单位",
    "unit.assign_responsible": "指定责任人",
    "department.create": "新建联动部门",
    "liaison.link": "建立联动关系",
    "support_point.create": "新建服务点位",
    "support_point.update": "修改服务点位",
    # Registry
    "resident.register": "登记居民",
    "resident.view": "查看居民信息",
    "resident.list": "查看居民名单",
    "resident.search": "查询居民",
    "resident.reveal": "查看完整证件号/电话",
    "resident.attach_address": "关联居民住址",
    "resident.change_status": "变更居民状态",
    "resident.import": "导入居民",
    "resident.import_refused": "导入居民（超出管辖范围被拒）",
    "address.create": "新建地址",
    "address.view": "查看地址及住户",
    "address.import": "导入地址",
    "addresses.import": "导入地址",
    "housing.import": "导入房屋",
    "businesses.import": "导入单位场所",
    "addresses.import_refused": "导入地址（超出管辖范围被拒）",
    "housing.import_refused": "导入房屋（超出管辖范围被拒）",
    "businesses.import_refused": "导入单位场所（超出管辖范围被拒）",
    "business.import": "导入单位场所",
    "address_review.resolve": "处理地址核对",
    "import_job.create": "上传导入文件",
    "import_job.write": "写入导入数据",
    "import_job.fail_stuck": "终止卡住的导入任务",
    "import_job.report_export": "导出导入报告",
    # Care
    "key_person.enrol": "纳入重点人员",
    "key_person.view": "查看重点人员",
    "key_person.list": "查看重点人员名单",
    "key_person.reassign": "调整重点人员责任人",
    "key_person.remove": "移出重点人员台账",
    "guardian.reveal": "查看监护人完整电话",
    "contact.log": "登记联系走访",
    "cadence_rule.set": "设置联系频次",
    "vaccination.record": "登记疫苗接种",
    "vaccination.list": "查看疫苗接种名单",
    "vaccination.export": "导出疫苗接种名单",
    "consolation_visit.record": "登记慰问",
    "love_card.issue": "发放爱心卡",
    "love_card.revoke": "作废爱心卡",
    "love_card.print": "打印爱心卡",
    "love_card.scan": "爱心卡被扫码",
    "sweep.start": "发起排查",
    "sweep.view": "查看排查详情",
    "sweep.close": "结束排查",
    # Safety
    "hazard.record": "登记隐患",
    "hazard.recheck": "隐患复查",
    "hazard.view": "查看隐患详情",
    "hazard_summary.export": "导出隐患汇总",
    "dispute.log": "登记矛盾纠纷",
    "dispute.view": "查看矛盾纠纷",
    "dispute.check": "纠纷回访",
    "dispute.mediate": "纠纷调解",
    "dispute.transfer": "纠纷移交",
    # Requests
    "request.file": "登记诉求",
    "request.view": "查看诉求",
    "request.list": "查看诉求列表",
    "request.events": "查看诉求办理记录",
    "request.attachment": "查看诉求附件",
    "request.open311": "通过 Open311 接口查看诉求",
    "request_category.create": "新建诉求类别",
    "request_category.change": "修改诉求类别",
    # Audit itself
    "audit.export": "导出审计日志",
    "audit.archive": "归档审计日志",
    # System
    "demo.load": "载入演示数据",
}

OBJECT_TYPE_LABELS: dict[str, str] = {
    "accounts.user": "账号",
    "accounts.membership": "任职",
    "accounts.apitoken": "接口令牌",
    "org.unit": "单位",
    "org.liaison": "联动关系",
    "org.supportpoint": "服务点位",
    "registry.resident": "居民",
    "registry.address": "地址",
    "registry.addressreview": "地址核对",
    "registry.residentstatuschange": "居民状态变更",
    "registry.housing": "房屋",
    "registry.business": "单位场所",
    "registry.importjob": "导入任务",
    "care.keyperson": "重点人员",
    "care.guardian": "监护人",
    "care.contact": "联系记录",
    "care.cadencerule": "联系频次",
    "care.vaccination": "疫苗接种",
    "care.keypersoncategory": "重点人员类别",
    "care.lovecardscan": "爱心卡扫码",
    "care.sweephousehold": "排查户",
    "care.consolationvisit": "慰问",
    "care.lovecard": "爱心卡",
    "care.sweep": "排查",
    "safety.hazard": "隐患",
    "safety.hazardrecheck": "隐患复查",
    "safety.mediation": "调解",
    "safety.dispute": "矛盾纠纷",
    "safety.disputecheck": "纠纷回访",
    "needs.request": "诉求",
    "needs.requestcategory": "诉求类别",
    "needs.requestattachment": "诉求附件",
    "audit.auditevent": "审计事件",
}

# Object types with a detail page: (URL name, keyword argument).
_OBJECT_PAGES: dict[str, tuple[str, str]] = {
    "registry.resident": ("resident-detail", "resident_id"),
    "registry.address": ("address-detail", "address_id"),
    "care.keyperson": ("key-person-detail", "key_person_id"),
    "care.sweep": ("sweep-detail", "sweep_id"),
    "safety.dispute": ("dispute-detail", "dispute_id"),
    "needs.request": ("request-detail", "request_id"),
    "safety.hazard": ("hazard-detail", "hazard_id"),
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def object_type_label(code: str) -> str:
    return OBJECT_TYPE_LABELS.get(code, code)


def object_url(object_type: str, object_id: str) -> str:
    """The page of the object, or "" when it has none (the page itself checks who may see it)."""
    page = _OBJECT_PAGES.get(object_type)
    if page is None or not object_id.isdigit():
        return ""
    try:
        return reverse(page[0], kwargs={page[1]: int(object_id)})
    except NoReverseMatch:
        return ""


def describe(event: AuditEvent) -> dict[str, str]:
    """The Chinese columns of one event, for the page and the exports."""
    actor = event.actor_username or "系统/匿名"
    name = getattr(event.actor, "display_name", "") if event.actor_id else ""
    return {
        "actor": f"{name}（{actor}）" if name else actor,
        "action": action_label(event.action),
        "object_type": object_type_label(event.object_type) if event.object_type else "",
        "object_id": event.object_id,
        "object_url": object_url(event.object_type, event.object_id),
    }
