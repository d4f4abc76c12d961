"""Users, their memberships (user × unit × role) and API tokens; the roles a membership can carry, and
what each may do where it holds (REQUIREMENTS X1)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    SQUAD_LEADER = "squad_leader", _("小分队队长")
    COMMUNITY_OFFICER = "community_officer", _("社区民警")
    STATION_OFFICE = "station_office", _("派出所/镇街办公室")
    DEPARTMENT = "department", _("联系部门")
    # The political department (政治处): picks typical cases for publicity (S7).
    POLITICAL = "political", _("政治处")
    # The district's business office: requests at the top of the ladder, categories, care, registry and
    # safety work. Since 三员分立 it neither manages accounts nor reads the audit log.
    DISTRICT_ADMIN = "district_admin", _("区级业务管理员")
    # 三员分立 (separation of duties): the three roles below see no personal data.
    # 系统管理员: units and accounts, the unit structure; no personal data, no audit log.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    # 安全保密管理员: unlocks accounts, resets two-factor devices, forces password changes, revokes tokens.
    SECURITY_ADMIN = "security_admin", _("安全保密管理员")
    AUDITOR = "auditor", _("审计员")


class Capability(models.TextChoices):
    # See units, support points and responsible people (and, in later apps, the work under them).
    VIEW = "view", _("查看")
    # Add and change support points, name responsible people.
    MANAGE_UNITS = "manage_units", _("管理单位")
    # Grant and revoke memberships, create accounts.
    MANAGE_ACCOUNTS = "manage_accounts", _("管理账号")
    # Read the audit log of the units in scope.
    VIEW_AUDIT = "view_audit", _("查看审计日志")
    # See a full ID or phone number instead of the masked one (asks for a reason; audited).
    REVEAL_PERSONAL = "reveal_personal", _("查看完整证件号码和电话")
    # Import and change registry rows (residents, addresses, housing, businesses).
    MANAGE_REGISTRY = "manage_registry", _("管理一标三实")
    # Log contacts with key persons (visits, calls) in the units held.
    LOG_CONTACTS = "log_contacts", _("登记联系记录")
    # Put people on the key-person ledger, change their categories, pair them with members.
    MANAGE_CARE = "manage_care", _("管理重点人员")
    # File residents' requests, and accept, solve, escalate or send back those the unit holds.
    HANDLE_REQUESTS = "handle_requests", _("办理群众诉求")
    # Security policy over the accounts in the subtree: unlock, reset two-factor devices, force a password
    # change, revoke API tokens.
    MANAGE_SECURITY = "manage_security", _("管理安全策略")
    # Mark a solved request as a typical case (典型案例) with a write-up for publicity.
    MARK_TYPICAL = "mark_typical", _("标记典型案例")
    # Log disputes and hazards, mediate, record rectification and re-checks.
    HANDLE_SAFETY = "handle_safety", _("登记矛盾纠纷和隐患")
    # See a key person's health details (PIPL Art. 28): health categories, disability grade, due date,
    # treatment, needs notes and contact notes. Without it a role sees that a person is on the ledger,
    # the other categories and who their contact is (docs/security.md, "Masks and health details").
    VIEW_HEALTH = "view_health", _("查看健康信息")


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    # A grid worker calls and visits the people of their grid: full numbers on request, with a reason.
    Role.GRID_WORKER: frozenset(
        {
            Capability.VIEW,
            Capability.REVEAL_PERSONAL,
            Capability.LOG_CONTACTS,
            Capability.VIEW_HEALTH,
            Capability.HANDLE_REQUESTS,
            Capability.HANDLE_SAFETY,
        }
    ),
    Role.SQUAD_LEADER: frozenset(
        {
            Capability.VIEW,
            Capability.REVEAL_PERSONAL,
            Capability.LOG_CONTACTS,
            Capability.VIEW_HEALTH,
            Capability.MANAGE_CARE,
            Capability.HANDLE_REQUESTS,
            Capability.HANDLE_SAFETY,
        }
    ),
    Role.COMMUNITY_OFFICER: frozenset(
        {
            Capability.VIEW,
            Capability.MANAGE_UNITS,
            Capability.REVEAL_PERSONAL,
            Capability.MANAGE_REGISTRY,
            Capability.LOG_CONTACTS,
            Capability.VIEW_HEALTH,
            Capability.MANAGE_CARE,
            Capability.HANDLE_REQUESTS,
            Capability.HANDLE_SAFETY,
        }
    ),
    Role.STATION_OFFICE: frozenset(
        {
            Capability.VIEW,
            Capability.MANAGE_UNITS,
            Capability.MANAGE_ACCOUNTS,
            Capability.REVEAL_PERSONAL,
            Capability.MANAGE_REGISTRY,
            Capability.LOG_CONTACTS,
            Capability.VIEW_HEALTH,
            Capability.MANAGE_CARE,
            Capability.HANDLE_REQUESTS,
            Capability.HANDLE_SAFETY,
        }
    ),
    # A department handles the requests escalated to it (its own unit), and nothing in the stations.
    Role.DEPARTMENT: frozenset({Capability.VIEW, Capability.HANDLE_REQUESTS}),
    Role.POLITICAL: frozenset({Capability.VIEW, Capability.MARK_TYPICAL}),
    Role.DISTRICT_ADMIN: frozenset(
        {
            Capability.VIEW,
            Capability.MANAGE_UNITS,
            Capability.REVEAL_PERSONAL,
            Capability.MANAGE_REGISTRY,
            Capability.LOG_CONTACTS,
            Capability.VIEW_HEALTH,
            Capability.MANAGE_CARE,
            Capability.HANDLE_REQUESTS,
            Capability.HANDLE_SAFETY,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset({Capability.VIEW, Capability.MANAGE_UNITS, Capability.MANAGE_ACCOUNTS}),
    Role.SECURITY_ADMIN: frozenset({Capability.VIEW, Capability.MANAGE_SECURITY}),
    Role.AUDITOR: frozenset({Capability.VIEW, Capability.VIEW_AUDIT}),
}

# Roles whose membership on a geographic unit shows its structure (units, support points, responsible
# people) but none of the personal data under it: residents, key persons, requests, disputes, hazards.
STRUCTURE_ONLY_ROLES: frozenset[str] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})

# Roles that sign in with a second factor whenever LINLI_2FA_REQUIRED is on. Grid workers and squad
# leaders are added by LINLI_2FA_GRID_WORKERS; an account with no role at all is asked too (fail closed).
TWO_FACTOR_EXEMPTABLE_ROLES: frozenset[str] = frozenset({Role.GRID_WORKER, Role.SQUAD_LEADER})

# The unit kinds a role is granted on; a grid worker on a station would be a mistake.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({"grid"}),
    Role.SQUAD_LEADER: frozenset({"grid", "community"}),
    Role.COMMUNITY_OFFICER: frozenset({"community"}),
    Role.STATION_OFFICE: frozenset({"station"}),
    Role.DEPARTMENT: frozenset({"department"}),
    Role.POLITICAL: frozenset({"department", "district"}),
    Role.DISTRICT_ADMIN: frozenset({"district"}),
    Role.SYSTEM_ADMIN: frozenset({"district"}),
    Role.SECURITY_ADMIN: frozenset({"district"}),
    Role.AUDITOR: frozenset({"district", "station"}),
}


class User(AbstractUser):
    """A person who signs in: a grid worker, an officer, a station or department clerk, an auditor."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("工作电话"), max_length=30, blank=True)
    # Set by a security administrator (or for a new account): nothing but the password page until changed.
    must_change_password = models.BooleanField(_("下次登录须修改口令"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


# The reason an administrator gives for acting on an account (unlock, reset, revoke …), for the audit log.
ADMIN_REASON_MAX_LENGTH = 200


class Membership(models.Model):
    """A user holds a role on a unit and, through it, on everything under that unit."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    # A concurrent post, e.g. 兼任居委副书记 for a community officer (O5).
    title = models.CharField(_("职务"), max_length=50, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True)
    # What the owner called the device or program holding it, e.g. "值班室电脑" or "巡逻终端 3".
    label = models.CharField(_("设备名称"), max_length=50, blank=True)
    # The web session that created it (tokens page): signing out of that session revokes the token.
    session_key = models.CharField(_("会话"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} 令牌 {self.pk}"
