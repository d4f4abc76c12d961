"""Residents' requests (群众诉求) in a closed loop: intake, the escalation ladder, deadlines, the timeline,
closure and satisfaction (REQUIREMENTS S1–S7).

A request is held by one unit at a time (`holder`). Every change of state is a conditional UPDATE on
`version`, so two people acting on the same request at once never both succeed: the second is told that
someone else changed it. Every step is a `RequestEvent`, appended and never changed (the database
refuses UPDATE and DELETE on the table). `RequestHold` is the route: which units held the request, from
whom each got it, which is how a department sees exactly what was escalated to it and how "send back"
knows where to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import PathField


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("较急")
    NORMAL = "normal", _("一般")


# Hours a level has to act on a request, by urgency; a category may set a shorter limit.
URGENCY_HOURS: dict[str, int] = {Urgency.URGENT: 4, Urgency.HIGH: 24, Urgency.NORMAL: 72}


class Channel(models.TextChoices):
    VISIT = "visit", _("上门走访")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信群")
    WALK_IN = "walk_in", _("警务室来访")
    CALL_110 = "110", _("110接警")
    HOTLINE_12345 = "12345", _("12345热线")
    ONLINE_OPINION = "online_opinion", _("网络舆情")
    VOLUNTEER = "volunteer", _("志愿者报告")
    CONTACT = "contact", _("重点人员联系中发现")
    PUBLIC = "public", _("群众网上自报")


class RequestCategory(models.Model):
    """A kind of request (S2), with its default urgency, its deadline and an outside competent body."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    default_urgency = models.CharField(
        _("默认紧急程度"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # A limit shorter than the urgency's, e.g. medical transport within two hours.
    deadline_hours = models.PositiveSmallIntegerField(_("每级办理时限（小时）"), null=True, blank=True)
    # The body outside the ladder that is competent for this kind (price gouging → 市场监管局).
    handoff_body = models.CharField(_("主管部门"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def hours_for(self, urgency: str) -> int:
        hours = URGENCY_HOURS.get(urgency, URGENCY_HOURS[Urgency.NORMAL])
        return min(hours, self.deadline_hours) if self.deadline_hours else hours


class Request(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        SOLVED = "solved", _("已解决待回访")
        CLOSED = "closed", _("已办结")

    class FeedbackMethod(models.TextChoices):
        MEMBER = "member", _("责任人当面询问")
        CALLBACK = "callback", _("电话回访")
        LINK = "link", _("群众通过链接评价")

    category = models.ForeignKey(
        RequestCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="requests"
    )
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    urgency = models.CharField(_("紧急程度"), max_length=6, choices=Urgency.choices)
    text = models.TextField(_("诉求内容"), max_length=2000)

    # Who asked: a registered resident, or a caller with a phone number.
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("诉求人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    caller_name = models.CharField(_("诉求人姓名"), max_length=50, blank=True)
    caller_phone = models.CharField(_("诉求人电话"), max_length=30, blank=True)

    # Where: an address, or at least the grid or community (the request's scope).
    address = models.ForeignKey(
        "registry.Address",
        verbose_name=_("地址"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_text = models.CharField(_("地点说明"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所在网格/社区"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = PathField(_("所在单位路径"), max_length=255)

    # The unit that holds it now, since when, and by when it must act.
    holder = models.ForeignKey(
        "org.Unit", verbose_name=_("当前办理单位"), on_delete=models.PROTECT, related_name="+"
    )
    holder_path = PathField(_("办理单位路径"), max_length=255)
    held_since = models.DateTimeField(_("接收时间"))
    deadline_at = models.DateTimeField(_("办理时限"))
    # Set when the deadline passed at the top of the ladder (nothing left to escalate to) and the
    # district was told; cleared whenever the request moves.
    overdue_notified_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField(_("版本"), default=1)
    escalations = models.PositiveSmallIntegerField(_("上报次数"), default=0)

    # Where it came from, when a contact with a key person found the need.
    key_person = models.ForeignKey(
        "care.KeyPerson",
        verbose_name=_("重点人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    contact = models.ForeignKey(
        "care.Contact",
        verbose_name=_("联系记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )

    solution = models.TextField(_("办理结果"), max_length=2000, blank=True)
    solved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解决人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    solved_on_time = models.BooleanField(_("按时解决"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    satisfaction_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    feedback_method = models.CharField(
        _("评价方式"), max_length=8, choices=FeedbackMethod.choices, blank=True
    )
    # The resident's rating link (unguessable); valid while the request waits for its rating.
    rating_token = models.CharField(_("评价链接令牌"), max_length=64, null=True, blank=True, unique=True)

    is_typical = models.BooleanField(_("典型案例"), default=False)
    typical_title = models.CharField(_("案例标题"), max_length=100, blank=True)
    typical_writeup = models.TextField(_("案例材料"), max_length=2000, blank=True)
    typical_marked_at = models.DateTimeField(_("标记时间"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("群众诉求")
        verbose_name_plural = _("群众诉求")
        indexes = [
            # a unit's queue: what it holds, by deadline.
            models.Index(fields=["holder_path", "state", "deadline_at"], name="request_queue"),
            # requests arising under a unit (scope, indicators), by date.
            models.Index(fields=["unit_path", "created_at"], name="request_scope_time"),
            # the deadline worker: open requests past their deadline.
            models.Index(
                fields=["deadline_at"], name="request_open_deadline", condition=models.Q(state="open")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="request_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"诉求{self.number}"

    @property
    def number(self) -> str:
        """The number people quote on the phone: year and id (诉求2026-000123)."""
        return f"{self.created_at:%Y}-{self.pk:06d}" if self.created_at and self.pk else "—"


class RequestHold(models.Model):
    """A unit's turn with a request: from whom it came (None: filed there), when, until when."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="holds")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("办理单位"), on_delete=models.PROTECT, related_name="+"
    )
    from_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("来自"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateTimeField(_("开始"))
    until = models.DateTimeField(_("结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理经过")
        verbose_name_plural = _("办理经过")
        indexes = [models.Index(fields=["unit", "request"], name="request_hold_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.since:%Y-%m-%d %H:%M}"


class RequestEvent(models.Model):
    """One step of a request's timeline; rows are only ever added."""

    class Kind(models.TextChoices):
        FILED = "filed", _("登记诉求")
        ACCEPTED = "accepted", _("受理")
        NOTE = "note", _("补充说明")
        ESCALATED = "escalated", _("上报")
        AUTO_ESCALATED = "auto_escalated", _("超时自动上报")
        OVERDUE = "overdue", _("超时提醒")
        RETURNED = "returned", _("退回下级")
        HANDOFF = "handoff", _("移交主管部门")
        HANDOFF_RESPONSE = "handoff_response", _("主管部门答复")
        SOLVED = "solved", _("解决")
        CLOSED = "closed", _("回访办结")
        TYPICAL = "typical", _("列为典型案例")

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept as written at the time: "系统" for the deadline worker, the caller for a public filing.
    actor_name = models.CharField(_("操作人姓名"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("操作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("交至"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.actor_name}"


def _attachment_path(instance: RequestAttachment, filename: str) -> str:
    # The stored name is random: the original name is kept in `name` and never used as a path.
    import secrets

    return f"requests/{instance.event.request_id}/{secrets.token_hex(16)}"


class RequestAttachment(models.Model):
    """A photo or document attached to a timeline step; served only to those who see the request."""

    event = models.ForeignKey(RequestEvent, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class IntakeFilingCount(models.Model):
    """Filings through the public grid page from one address in one clock hour (needs.services.intake).

    One row per (address, hour), raised with a conditional UPDATE, so that a burst of concurrent
    filings cannot pass the limit; rows of past hours are deleted by `linli tick`.
    """

    address = models.CharField(_("来源地址"), max_length=64)
    hour = models.DateTimeField(_("小时"))
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("公开提交计数")
        verbose_name_plural = _("公开提交计数")
        constraints = [models.UniqueConstraint(fields=["address", "hour"], name="intake_count_address_hour")]
        # The clean-up deletes by hour.
        indexes = [models.Index(fields=["hour"], name="intake_count_hour")]

    def __str__(self) -> str:
        return f"{self.address} {self.hour:%Y-%m-%d %H}:00 {self.count}"


class IntakeAnsweredQuestion(models.Model):
    """A public-page question (its nonce) that has been answered: inserted once, under a unique
    constraint, so that one answer files once even when sent twice at the same moment."""

    nonce = models.CharField(_("问题编号"), max_length=32, unique=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("已回答的验证问题")
        verbose_name_plural = _("已回答的验证问题")

    def __str__(self) -> str:
        return self.nonce
