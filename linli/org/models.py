"""The unit tree (district → station/town → community → grid), departments, liaison and support points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core import paths
from linli.core.fields import PathField


class LevelScheme(models.Model):
    """What a deployment calls its four levels, e.g. 区/派出所/居村委/网格 or 旗/镇/嘎查·社区/网格."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    district_label = models.CharField(_("第一级"), max_length=20)
    station_label = models.CharField(_("第二级"), max_length=20)
    community_label = models.CharField(_("第三级"), max_length=20)
    grid_label = models.CharField(_("第四级"), max_length=20)

    class Meta:
        verbose_name = _("层级名称方案")
        verbose_name_plural = _("层级名称方案")

    def __str__(self) -> str:
        return self.name

    def labels(self) -> list[str]:
        return [self.district_label, self.station_label, self.community_label, self.grid_label]


class Unit(models.Model):
    """A node of the unit tree, or a department hanging off its district outside the geographic tree."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区县")
        STATION = "station", _("派出所/镇街")
        COMMUNITY = "community", _("社区/村")
        GRID = "grid", _("网格")
        DEPARTMENT = "department", _("部门")

    GEOGRAPHIC_KINDS = (Kind.DISTRICT, Kind.STATION, Kind.COMMUNITY, Kind.GRID)
    KIND_BY_DEPTH = {0: Kind.DISTRICT, 1: Kind.STATION, 2: Kind.COMMUNITY, 3: Kind.GRID}

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path; subtree queries are one index range (linli.core.paths.subtree_q).
    path = PathField(_("路径"), max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(_("层级"))
    scheme = models.ForeignKey(LevelScheme, verbose_name=_("层级名称方案"), on_delete=models.PROTECT)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The community officer of a community, the grid leader of a grid (O5).
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_for",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(depth__lte=3), name="unit_depth_at_most_grid"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, depth=0)
                | models.Q(parent__isnull=False, depth__gt=0),
                name="unit_only_districts_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_department(self) -> bool:
        return self.kind == self.Kind.DEPARTMENT

    @property
    def level_label(self) -> str:
        if self.is_department:
            return str(_("部门"))
        return self.scheme.labels()[self.depth]

    @property
    def child_level_label(self) -> str:
        if self.is_department or self.depth >= 3:
            return ""
        return self.scheme.labels()[self.depth + 1]

    @property
    def place_name(self) -> str:
        """How pages name a place: a grid with its community's name ("贝港居委第一网格": every
        community has a 第一网格), any other unit by its own name. Select `parent` with the unit."""
        if self.kind == Unit.Kind.GRID and self.parent is not None:
            return f"{self.parent.name}{self.name}"
        return self.name

    def ancestor_paths(self) -> list[str]:
        return paths.ancestors(self.path)


class Liaison(models.Model):
    """A department supports a station (联系片区): it receives that station's escalated work (O2)."""

    department = models.ForeignKey(
        Unit, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="liaison_links"
    )
    station = models.ForeignKey(
        Unit, verbose_name=_("派出所/镇街"), on_delete=models.CASCADE, related_name="liaison_departments"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联系片区")
        verbose_name_plural = _("联系片区")
        constraints = [
            models.UniqueConstraint(fields=["department", "station"], name="liaison_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.station}"


class SupportPoint(models.Model):
    """A place residents can walk into: 警务站、警务室、平安屋、党群服务中心 … (O3)."""

    class Kind(models.TextChoices):
        POLICE_STATION_POST = "police_post", _("警务站")
        POLICE_OFFICE = "police_office", _("警务室")
        SAFETY_HOUSE = "safety_house", _("平安屋")
        PARTY_CENTRE = "party_centre", _("党群服务中心")
        MERCHANT_ALLIANCE = "merchant_alliance", _("平安商户联盟")

    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="support_points"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务点位")
        verbose_name_plural = _("服务点位")
        ordering = ["unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="support_point_unique_name_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name
