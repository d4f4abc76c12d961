"""Disputes (矛盾纠纷, P1) and hazards (隐患, P2) in a grid or community.

A dispute is logged by whoever handles it first; the community officer of its community is told and,
unless it was settled on the spot, takes it over. An agreement is checked 7 and 30 days later; a broken
one reopens the dispute. A hazard has a party responsible for putting it right, a deadline, and
re-checks until one finds it cleared. Every row carries the unit path of its grid or community, so
that registers and summaries are range scans within a subtree.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.care.models import RiskLevel
from linli.core.fields import PathField

# How long the reason for handing a dispute over may be (移交说明): the page form, the API and the service.
TRANSFER_REASON_MAX_LENGTH = 300


class Dispute(models.Model):
    """A dispute between neighbours, family members, tenants and landlords … (矛盾纠纷)."""

    class Kind(models.TextChoices):
        NEIGHBOUR = "neighbour", _("邻里纠纷")
        FAMILY = "family", _("婚姻家庭纠纷")
        PROPERTY = "property", _("物业纠纷")
        TENANCY = "tenancy", _("房屋租赁纠纷")
        LABOUR = "labour", _("劳资纠纷")
        CONSUMER = "consumer", _("消费纠纷")
        DAMAGES = "damages", _("损害赔偿纠纷")
        OTHER = "other", _("其他纠纷")

    class State(models.TextChoices):
        OPEN = "open", _("待化解")
        RESOLVED = "resolved", _("已化解")

    # The grid or community where it happened.
    unit_path = PathField(_("网格/社区路径"), max_length=255)
    kind = models.CharField(_("纠纷类型"), max_length=12, choices=Kind.choices)
    summary = models.CharField(_("纠纷概况"), max_length=1000)
    place = models.CharField(_("发生地点"), max_length=200, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    resolved_on_spot = models.BooleanField(_("当场化解"), default=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    # Who has the dispute now: the first handler, then (unless settled on the spot) the community officer.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("跟进责任人"),
        on_delete=models.PROTECT,
        related_name="owned_disputes",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-created_at", "-id"]
        indexes = [
            # disputes_in: a unit's register, a range on unit_path filtered by state, newest first.
            models.Index(fields=["unit_path", "state", "created_at"], name="dispute_register"),
            # an owner's open disputes.
            models.Index(fields=["owner", "state"], name="dispute_owner_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open", resolved_at__isnull=True)
                | models.Q(state="resolved", resolved_at__isnull=False),
                name="dispute_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.summary[:20]}"


class DisputeParty(models.Model):
    """One party to a dispute; the phone is shown masked."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("矛盾纠纷"), on_delete=models.CASCADE, related_name="parties"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["dispute", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Mediation(models.Model):
    """A mediation (调解) and, when the parties agreed, the agreement: its text, date and who agreed."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("矛盾纠纷"), on_delete=models.CASCADE, related_name="mediations"
    )
    mediated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调解人"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("调解情况"), max_length=1000)
    on_the_spot = models.BooleanField(_("当场化解"), default=False)
    agreed = models.BooleanField(_("达成协议"), default=False)
    agreement_text = models.CharField(_("协议内容"), max_length=1000, blank=True)
    agreement_on = models.DateField(_("协议日期"), null=True, blank=True)
    agreement_parties = models.CharField(_("协议各方"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解")
        verbose_name_plural = _("调解")
        ordering = ["dispute", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreed=False) | models.Q(agreement_on__isnull=False),
                name="mediation_agreement_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} 调解"


class DisputeCheck(models.Model):
    """A check that an agreement held, due a fixed number of days after it (回访)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待回访")
        HELD = "held", _("协议履行")
        BROKEN = "broken", _("协议未履行")
        # The agreement broke at an earlier check: this one is no longer needed.
        CANCELLED = "cancelled", _("已取消")

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("矛盾纠纷"), on_delete=models.CASCADE, related_name="checks"
    )
    mediation = models.ForeignKey(
        Mediation, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="checks"
    )
    # The dispute's path, copied so that the list of checks due scopes without a join.
    unit_path = PathField(_("网格/社区路径"), max_length=255)
    days_after = models.PositiveSmallIntegerField(_("协议后天数"))
    due_on = models.DateField(_("回访日期"))
    state = models.CharField(_("结果"), max_length=10, choices=State.choices, default=State.PENDING)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    note = models.CharField(_("回访情况"), max_length=500, blank=True)
    # Set by `linli tick` when the owner was reminded that the check is due (once).
    reminded_on = models.DateField(_("提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("协议回访")
        verbose_name_plural = _("协议回访")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mediation", "days_after"], name="dispute_check_once"),
        ]
        indexes = [
            # dispute_checks_due: pending checks in a subtree by due date.
            models.Index(
                fields=["unit_path", "due_on"],
                name="dispute_check_due",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} {self.days_after} 天回访"


class DisputeEvent(models.Model):
    """One step on a dispute's timeline, appended, never edited."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("登记")
        TRANSFERRED = "transferred", _("移交")
        MEDIATED = "mediated", _("调解")
        AGREED = "agreed", _("达成协议")
        CHECK_HELD = "check_held", _("回访：协议履行")
        CHECK_BROKEN = "check_broken", _("回访：协议未履行")
        REOPENED = "reopened", _("重新化解")

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("矛盾纠纷"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("事项"), max_length=14, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The new owner of a transfer.
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移交给"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.CharField(_("说明"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("纠纷处理记录")
        verbose_name_plural = _("纠纷处理记录")
        ordering = ["dispute", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute} {self.get_kind_display()}"


class Hazard(models.Model):
    """A hazard (隐患) found in a grid or community, with who must put it right and by when."""

    class Kind(models.TextChoices):
        WATER = "water", _("水")
        POWER = "power", _("电")
        GAS = "gas", _("气")
        HEATING = "heating", _("暖")
        FIRE = "fire", _("消防")
        PUBLIC_ORDER = "public_order", _("治安")
        TRAFFIC = "traffic", _("交通")
        BUILDING = "building", _("房屋")
        OTHER = "other", _("其他")

    class Source(models.TextChoices):
        CONTACT = "contact", _("走访发现")
        SWEEP = "sweep", _("排查行动")
        CHECK = "check", _("安全检查")
        REPORT = "report", _("群众反映")

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        CLEARED = "cleared", _("已整改")

    unit_path = PathField(_("网格/社区路径"), max_length=255)
    kind = models.CharField(_("隐患类型"), max_length=12, choices=Kind.choices)
    risk_level = models.CharField(
        _("风险等级"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    source = models.CharField(_("发现途径"), max_length=8, choices=Source.choices)
    description = models.CharField(_("隐患描述"), max_length=1000)
    place = models.CharField(_("具体位置"), max_length=200, blank=True)
    # A household, a business or a property company, as written (整改责任方).
    responsible_party = models.CharField(_("整改责任方"), max_length=100)
    found_on = models.DateField(_("发现日期"))
    # 限期整改: open past this date is overdue.
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    cleared_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    # Set by `linli tick` when the deadline passed with the hazard still open and people were told (once
    # per deadline: a re-check that sets a new deadline clears it).
    overdue_notified_on = models.DateField(_("逾期提醒日期"), null=True, blank=True)
    contact = models.ForeignKey(
        "care.Contact",
        verbose_name=_("联系记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    sweep = models.ForeignKey(
        "care.Sweep",
        verbose_name=_("排查行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_on", "-id"]
        indexes = [
            # hazards_in: a unit's register by state and deadline (overdue = open, deadline passed).
            models.Index(fields=["unit_path", "state", "deadline"], name="hazard_register"),
            # hazard_summary: what was found in a subtree over a period.
            models.Index(fields=["unit_path", "found_on"], name="hazard_found"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open", cleared_on__isnull=True)
                | models.Q(state="cleared", cleared_on__isnull=False),
                name="hazard_cleared_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.description[:20]}"

    def is_overdue(self, on: datetime.date) -> bool:
        return self.state == self.State.OPEN and self.deadline < on


class HazardRecheck(models.Model):
    """A re-check of a hazard (复查): when, by whom, whether it was cleared, what was seen."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="rechecks"
    )
    checked_at = models.DateTimeField(_("复查时间"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复查人"), on_delete=models.PROTECT, related_name="+"
    )
    cleared = models.BooleanField(_("已整改"))
    note = models.CharField(_("复查情况"), max_length=500, blank=True)
    # A re-check that finds work still under way may give more time.
    new_deadline = models.DateField(_("新的整改期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("隐患复查")
        verbose_name_plural = _("隐患复查")
        ordering = ["hazard", "checked_at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard} 复查 {self.checked_at:%Y-%m-%d}"
