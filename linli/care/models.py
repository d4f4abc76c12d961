"""Care for people in difficulty: the key-person ledger, pairing, contact cadence and the contact log (C1–C5).

A key person is a resident with one or more care categories, a responsible member (结对) and a cadence.
`next_contact_due` is a local date (Asia/Shanghai) that every successful contact moves forward; the
worklists are range scans over it within a unit path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import PathField


class Category(models.TextChoices):
    LIVING_ALONE = "living_alone", _("独居老人")
    EMPTY_NEST = "empty_nest", _("空巢老人")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("困境儿童")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕产妇")
    CRITICALLY_ILL = "critically_ill", _("危重病人")
    SERIOUSLY_ILL = "seriously_ill", _("重病患者")
    DEPENDENT = "dependent", _("失能/半失能")
    HOME_TREATMENT = "home_treatment", _("居家治疗")
    MINIMUM_LIVING = "minimum_living", _("低保")
    EXTREME_POVERTY = "extreme_poverty", _("特困")
    DEMENTIA_WANDERING = "dementia_wandering", _("认知障碍走失风险")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class KeyPerson(models.Model):
    """A resident on the key-person ledger (重点人员台账)."""

    resident = models.OneToOneField(
        "registry.Resident", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="key_person"
    )
    # The resident's grid, copied so that worklists scope without a join.
    unit_path = PathField(_("网格路径"), max_length=255)
    risk_level = models.CharField(
        _("风险等级"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    # 0 high, 1 medium, 2 low: computed by the database, so that worklists sort on a plain column.
    risk_rank = models.GeneratedField(
        expression=models.Case(
            models.When(risk_level="high", then=models.Value(0)),
            models.When(risk_level="medium", then=models.Value(1)),
            default=models.Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    needs_note = models.CharField(_("需求说明"), max_length=500, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结对责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_persons",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("备用联系人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backup_key_persons",
    )
    # Days between contacts, from the cadence rules for the categories and risk (at most 7 by default).
    cadence_days = models.PositiveSmallIntegerField(_("联系周期（天）"), default=7)
    next_contact_due = models.DateField(_("下次联系日期"))
    last_contact_at = models.DateTimeField(_("最近联系时间"), null=True, blank=True)
    # Set by a contact that found an emergency; puts the person at the top of the station's list.
    emergency_at = models.DateTimeField(_("紧急情况时间"), null=True, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    # When and why the person was taken off the ledger (moved away, recovered, died): on-time rates
    # still count the weeks before.
    left_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    left_reason = models.CharField(_("移出原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("列入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        indexes = [
            # contacts_due for a grid, community or station: a range on unit_path, ordered by due date.
            models.Index(
                fields=["unit_path", "next_contact_due", "emergency_at"],
                name="key_person_due",
                condition=models.Q(is_active=True),
            ),
            # contacts_due for a member: their own people by due date.
            models.Index(
                fields=["responsible", "next_contact_due"],
                name="key_person_member_due",
                condition=models.Q(is_active=True),
            ),
            # people without a responsible member (handover worklist).
            models.Index(
                fields=["unit_path"],
                name="key_person_unpaired",
                condition=models.Q(is_active=True, responsible__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return str(self.resident)


class KeyPersonCategory(models.Model):
    """One care category of a key person, with what that category needs to know."""

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("重点人员"), on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices)
    # 残疾等级 1–4 for persons with disabilities.
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    # 预产期 for pregnant women.
    due_date = models.DateField(_("预产期"), null=True, blank=True)
    # 透析、化疗 … for the seriously ill.
    treatment = models.CharField(_("治疗情况"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("重点人员类别")
        verbose_name_plural = _("重点人员类别")
        constraints = [
            models.UniqueConstraint(fields=["key_person", "category"], name="key_person_category_once"),
            models.CheckConstraint(
                condition=models.Q(disability_grade__isnull=True) | models.Q(disability_grade__range=(1, 4)),
                name="key_person_disability_grade_1_4",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class Guardian(models.Model):
    """A guardian or emergency contact of a key person (监护人/紧急联系人)."""

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("重点人员"), on_delete=models.CASCADE, related_name="guardians"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20, blank=True)
    phone = models.CharField(_("电话"), max_length=30)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("监护人/紧急联系人")
        verbose_name_plural = _("监护人/紧急联系人")
        ordering = ["key_person", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class CadenceRule(models.Model):
    """How often people of a category at a risk level must be contacted; the shortest rule that applies wins.

    An empty category or risk level matches any. Without any rule the default is seven days (C4).
    """

    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=6, choices=RiskLevel.choices, blank=True)
    interval_days = models.PositiveSmallIntegerField(_("联系周期（天）"))

    class Meta:
        verbose_name = _("联系周期规则")
        verbose_name_plural = _("联系周期规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "risk_level"], name="cadence_rule_once"),
            models.CheckConstraint(
                condition=models.Q(interval_days__range=(1, 31)), name="cadence_rule_1_31_days"
            ),
        ]

    def __str__(self) -> str:
        category = self.get_category_display() or "任何类别"
        risk = self.get_risk_level_display() or "任何风险"
        return f"{category} · {risk}：{self.interval_days} 天"


class Contact(models.Model):
    """One contact with a key person (上门/电话/微信/视频), appended, never edited (C5)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("上门")
        PHONE = "phone", _("电话")
        WECHAT = "wechat", _("微信")
        VIDEO = "video", _("视频")

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("重点人员"), on_delete=models.PROTECT, related_name="contacts"
    )
    occurred_at = models.DateTimeField(_("联系时间"))
    kind = models.CharField(_("方式"), max_length=8, choices=Kind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    companions = models.CharField(_("同行人员"), max_length=200, blank=True)
    # False when nobody was reached (nobody home, no answer): such a contact does not count.
    reached = models.BooleanField(_("联系上"), default=True)
    outcome = models.CharField(_("情况"), max_length=500, blank=True)
    needs_found = models.CharField(_("发现需求"), max_length=500, blank=True)
    hazards_found = models.CharField(_("发现隐患"), max_length=500, blank=True)
    is_emergency = models.BooleanField(_("紧急情况"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # a key person's history, and on-time rates over a period.
            models.Index(fields=["key_person", "occurred_at"], name="contact_person_time"),
            # on-time rates count only the contacts that reached the person.
            models.Index(
                fields=["key_person", "occurred_at"],
                name="contact_reached",
                condition=models.Q(reached=True),
            ),
            # … over a period: contacts arrive in time order, so a month is one short stretch of this
            # index, which holds all the rates need (an index-only scan on PostgreSQL).
            models.Index(
                fields=["occurred_at", "key_person"],
                name="contact_reached_period",
                condition=models.Q(reached=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_person} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class LoveCard(models.Model):
    """A love contact card (爱心联系卡) for a person at risk of getting lost (C6).

    The card carries an unguessable link; a finder who scans it sees only the given name, a guardian's
    phone and the station's phone. Revoking or reissuing kills the old link.
    """

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("重点人员"), on_delete=models.PROTECT, related_name="love_cards"
    )
    # 32 random bytes, URL-safe: the link cannot be guessed or enumerated.
    token = models.CharField(_("链接令牌"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发放人"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    # When the responsible people were last alerted about a scan (alerts are throttled, scans are not).
    last_alert_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)
    # When a location a finder typed was last passed on (the first within the interval is, not more).
    last_location_alert_at = models.DateTimeField(_("最近转告地点时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("爱心联系卡")
        verbose_name_plural = _("爱心联系卡")
        constraints = [
            # At most one live card per person: issuing a new one revokes the old.
            models.UniqueConstraint(
                fields=["key_person"], condition=models.Q(revoked_at__isnull=True), name="love_card_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_person} 爱心卡"


class LoveCardScan(models.Model):
    """Every scan of a card, with time, client address and what the finder chose to tell."""

    card = models.ForeignKey(
        LoveCard, verbose_name=_("爱心卡"), on_delete=models.PROTECT, related_name="scans"
    )
    scanned_at = models.DateTimeField(_("扫码时间"), auto_now_add=True)
    client_address = models.CharField(_("客户端地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    # Where the finder says they are, if they typed it on the card page.
    location = models.CharField(_("发现地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("爱心卡扫码记录")
        verbose_name_plural = _("爱心卡扫码记录")
        ordering = ["-scanned_at", "-id"]

    def __str__(self) -> str:
        return f"{self.card} {self.scanned_at:%Y-%m-%d %H:%M}"


class Sweep(models.Model):
    """A census sweep (拍门/扫楼/敲门行动) of a building, grid or community (C2).

    Every household (standard address) in the area gets a row; the sweep proves coverage, it does not
    claim it: it cannot close while households are unaccounted for, unless a supervisor closes it
    with a reason.
    """

    class Kind(models.TextChoices):
        DOOR_KNOCK = "door_knock", _("敲门行动")
        KNOCK = "knock", _("拍门")
        BUILDING = "building", _("扫楼")

    class State(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已完成")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey("org.Unit", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    unit_path = PathField(_("单位路径"), max_length=255, db_index=True)
    # For a building sweep: the canonical key prefix of the building ("育秀路|100弄|12号").
    building_key = models.CharField(_("楼栋"), max_length=255, blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_reason = models.CharField(_("未完成即关闭的原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("排查行动")
        verbose_name_plural = _("排查行动")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.title


class SweepHousehold(models.Model):
    """One household of a sweep and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("未走访")
        VISITED = "visited", _("已走访")
        ABSENT = "absent", _("无人在家")
        REFUSED = "refused", _("拒绝")
        VACANT = "vacant", _("空置")

    sweep = models.ForeignKey(
        Sweep, verbose_name=_("排查行动"), on_delete=models.CASCADE, related_name="households"
    )
    address = models.ForeignKey(
        "registry.Address", verbose_name=_("地址"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = PathField(_("网格路径"), max_length=255)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("走访时间"), null=True, blank=True)
    note = models.CharField(_("情况"), max_length=300, blank=True)
    # Key persons found at this household and put on the ledger during the sweep.
    new_key_persons = models.PositiveSmallIntegerField(_("新发现重点人员"), default=0)

    class Meta:
        verbose_name = _("排查户")
        verbose_name_plural = _("排查户")
        constraints = [models.UniqueConstraint(fields=["sweep", "address"], name="sweep_household_once")]
        indexes = [
            # sweep coverage: which households of a sweep are still unaccounted for.
            models.Index(fields=["sweep", "outcome"], name="sweep_household_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.sweep} · {self.address}"


class Vaccination(models.Model):
    """A resident's vaccination status for the follow-up list (C7): who is not, or not fully, vaccinated."""

    class Status(models.TextChoices):
        NONE = "none", _("未接种")
        PARTIAL = "partial", _("未全程接种")
        FULL = "full", _("已全程接种")

    class Reason(models.TextChoices):
        CONTRAINDICATION = "contraindication", _("有禁忌症")
        REFUSED = "refused", _("本人或家属不愿接种")
        IMMOBILE = "immobile", _("行动不便")
        AWAY = "away", _("长期外出")
        ILL = "ill", _("患病暂缓")
        OTHER = "other", _("其他")

    resident = models.OneToOneField(
        "registry.Resident", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="vaccination"
    )
    unit_path = PathField(_("网格路径"), max_length=255, db_index=True)
    status = models.CharField(_("接种情况"), max_length=8, choices=Status.choices)
    doses = models.PositiveSmallIntegerField(_("已接种剂次"), default=0)
    reason = models.CharField(_("未接种原因"), max_length=16, choices=Reason.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("疫苗接种情况")
        verbose_name_plural = _("疫苗接种情况")

    def __str__(self) -> str:
        return f"{self.resident} {self.get_status_display()}"


class ConsolationVisit(models.Model):
    """A consolation visit (走访慰问) with what was given and the fund it came from (C8)."""

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("重点人员"), on_delete=models.PROTECT, related_name="consolation_visits"
    )
    unit_path = PathField(_("网格路径"), max_length=255, db_index=True)
    visited_on = models.DateField(_("慰问日期"))
    occasion = models.CharField(_("慰问事由"), max_length=50)
    goods = models.CharField(_("慰问物品"), max_length=200, blank=True)
    amount = models.DecimalField(_("慰问金（元）"), max_digits=10, decimal_places=2, default=0)
    fund = models.CharField(_("资金来源"), max_length=100)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("慰问人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访慰问")
        verbose_name_plural = _("走访慰问")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="consolation_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.key_person} {self.occasion} {self.visited_on}"
