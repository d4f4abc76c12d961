"""一标三实: standard addresses, actual population, actual housing and actual businesses (R1–R3).

Every row carries `unit_path`, the path of the grid it lies in, so that scoping a list to a user's
subtrees is one index range (linli.core.paths.subtree_q) without joining the unit tree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import PathField


class Address(models.Model):
    """A standard address (标准地址), down to the room where there is one."""

    # Stable: derived from the station and the canonical key, so a re-import finds the same row.
    code = models.CharField(_("地址编码"), max_length=60, unique=True)
    # Keys are unique within a station or town: road and village names repeat across a district.
    station_path = PathField(_("派出所/镇路径"), max_length=255)
    # Canonical form from linli.lib.address ("育秀路|100弄|12号|3幢|2单元|401室").
    key = models.CharField(_("规范键"), max_length=255)
    grid = models.ForeignKey("org.Unit", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+")
    unit_path = PathField(_("网格路径"), max_length=255)
    locality = models.CharField(_("路/街/村"), max_length=100)
    lane = models.CharField(_("弄/巷"), max_length=20, blank=True)
    number = models.CharField(_("号"), max_length=20, blank=True)
    building = models.CharField(_("幢"), max_length=20, blank=True)
    unit_no = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("室"), max_length=20, blank=True)
    full_text = models.CharField(_("地址"), max_length=255)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        constraints = [
            models.UniqueConstraint(fields=["station_path", "key"], name="address_unique_key_per_station"),
        ]
        indexes = [
            # addresses_visible_to: a subtree's addresses in address order.
            models.Index(fields=["unit_path", "key"], name="address_scope_key"),
        ]

    def __str__(self) -> str:
        return self.full_text


# The reason given to see a resident's full numbers (resident_reveal), written to the audit log.
REVEAL_REASON_MAX_LENGTH = 200


class Resident(models.Model):
    """A person of the actual population (实有人口)."""

    class DocumentKind(models.TextChoices):
        ID_CARD = "id_card", _("居民身份证")
        PASSPORT = "passport", _("护照")
        OTHER = "other", _("其他证件")
        NONE = "none", _("无证件")

    class ResidenceType(models.TextChoices):
        REGISTERED = "registered", _("户籍")
        PERMANENT = "permanent", _("常住")
        FLOATING = "floating", _("流动")
        TEMPORARY = "temporary", _("临时")

    class Status(models.TextChoices):
        PRESENT = "present", _("在住")
        MOVED_OUT = "moved_out", _("迁出")
        DECEASED = "deceased", _("死亡")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")
        UNKNOWN = "", _("未知")

    name = models.CharField(_("姓名"), max_length=50)
    document_kind = models.CharField(_("证件类型"), max_length=10, choices=DocumentKind.choices)
    # NULL for people without an ID card; unique where present (both databases allow many NULLs).
    id_number = models.CharField(_("公民身份号码"), max_length=18, null=True, blank=True, unique=True)
    other_document_number = models.CharField(_("其他证件号码"), max_length=40, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # Search by the last four digits of a phone without scanning every phone.
    phone_last4 = models.CharField(_("电话后四位"), max_length=4, blank=True)
    residence_type = models.CharField(_("人口类型"), max_length=12, choices=ResidenceType.choices)
    address = models.ForeignKey(
        Address,
        verbose_name=_("现住址"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    unit_path = PathField(_("网格路径"), max_length=255)
    # The address as the source wrote it, kept until it is matched to a standard address.
    reported_address = models.CharField(_("登记地址"), max_length=255, blank=True)
    household_number = models.CharField(_("户号"), max_length=30, blank=True)
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    # Basic information complete (一标三实采集率, R6): set by the services that write the row.
    is_complete = models.BooleanField(_("信息完整"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("实有人口")
        verbose_name_plural = _("实有人口")
        indexes = [
            # residents_visible_to ordered by name; search by name within a scope.
            models.Index(fields=["unit_path", "name"], name="resident_scope_name"),
            # search by the last four digits of a phone within a scope.
            models.Index(fields=["phone_last4", "unit_path"], name="resident_phone_last4"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(document_kind="id_card") | models.Q(id_number__isnull=False),
                name="resident_id_card_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def basic_info_complete(self) -> bool:
        """一标三实 basic information: a document, a phone and a standard address (R6)."""
        has_document = bool(self.id_number or self.other_document_number)
        return has_document and bool(self.phone) and self.address_id is not None


class ResidentStatusChange(models.Model):
    """Moved in, moved out, deceased: kept as history, never overwritten (R2)."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="status_changes"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Resident.Status.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人口变动")
        verbose_name_plural = _("人口变动")
        ordering = ["resident", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_status_display()} {self.effective_on}"


class Housing(models.Model):
    """A dwelling of the actual housing (实有房屋) at a standard address."""

    class Usage(models.TextChoices):
        OWNER_OCCUPIED = "owner", _("自住")
        RENTED = "rented", _("出租")
        VACANT = "vacant", _("空置")
        GROUP_RENTAL = "group_rental", _("群租")

    address = models.OneToOneField(
        Address, verbose_name=_("地址"), on_delete=models.PROTECT, related_name="housing"
    )
    unit_path = PathField(_("网格路径"), max_length=255, db_index=True)
    usage = models.CharField(_("使用情况"), max_length=12, choices=Usage.choices)
    owner_name = models.CharField(_("房主姓名"), max_length=50, blank=True)
    owner_phone = models.CharField(_("房主电话"), max_length=30, blank=True)
    tenant_count = models.PositiveSmallIntegerField(_("承租人数"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("实有房屋")
        verbose_name_plural = _("实有房屋")

    def __str__(self) -> str:
        return f"{self.address} {self.get_usage_display()}"


class Business(models.Model):
    """An enterprise, shop or special trade of the actual units (实有单位)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SHOP = "shop", _("商铺")
        SPECIAL_TRADE = "special_trade", _("特种行业")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    # 统一社会信用代码 (18 characters, GB 32100); many small shops have none.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True)
    address = models.ForeignKey(
        Address,
        verbose_name=_("地址"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    unit_path = PathField(_("网格路径"), max_length=255, db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("实有单位")
        verbose_name_plural = _("实有单位")
        indexes = [models.Index(fields=["unit_path", "name"], name="business_scope_name")]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded file on its way through validation and, if the user chooses, the write (R4)."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("实有人口")
        ADDRESSES = "addresses", _("标准地址")
        HOUSING = "housing", _("实有房屋")
        BUSINESSES = "businesses", _("实有单位")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        VALIDATING = "validating", _("校验中")
        VALIDATED = "validated", _("已校验")
        WRITING = "writing", _("写入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    uuid = models.UUIDField(_("编号"), unique=True)
    kind = models.CharField(_("数据类型"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("目标单位"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = PathField(_("单位路径"), max_length=255, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(_("原文件名"), max_length=255)
    # Where the upload is kept under LINLI_VAR_DIR/imports/, relative to that folder.
    stored_name = models.CharField(_("存储文件"), max_length=100)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.UPLOADED)
    write_valid_rows = models.BooleanField(_("只写入正确的行"), default=False)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("有误行数"), default=0)
    # A whole-file problem (wrong format, missing columns …), in Chinese; row errors go to the report.
    failure = models.CharField(_("失败原因"), max_length=500, blank=True)
    report_name = models.CharField(_("错误报告文件"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # When the job entered its current state: `linli tick` fails a job left running for too long.
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [
            # `import_jobs_fail_stuck`: the jobs still running, oldest state first.
            models.Index(
                fields=["state_changed_at"],
                name="registry_importjob_running",
                condition=models.Q(state__in=["uploaded", "validating", "writing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class AddressReview(models.Model):
    """A free-text address that matched no standard address, queued for a person to resolve (R1).

    Never attached to a guess: the row stays pending until someone picks the standard address, creates
    one, or dismisses the text.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待核对")
        MATCHED = "matched", _("已匹配")
        DISMISSED = "dismissed", _("已忽略")

    raw_text = models.CharField(_("原始地址"), max_length=255)
    # The parser's canonical key and what it did not understand, to help the reviewer.
    parsed_key = models.CharField(_("解析结果"), max_length=255, blank=True)
    not_understood = models.CharField(_("未能识别"), max_length=255, blank=True)
    unit_path = PathField(_("单位路径"), max_length=255)
    resident = models.ForeignKey(
        Resident, verbose_name=_("人员"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    resolved_address = models.ForeignKey(
        Address,
        verbose_name=_("对应标准地址"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待核对地址")
        verbose_name_plural = _("待核对地址")
        indexes = [
            # address_reviews_pending_for: the pending queue of a subtree, oldest first.
            models.Index(
                fields=["unit_path", "created_at"],
                name="address_review_pending",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.raw_text
