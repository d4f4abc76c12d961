"""Append-only audit events. The database refuses UPDATE, DELETE, REPLACE and TRUNCATE on this table
(migrations 0002 and 0003), and each event carries a hash chained to the one before
(linli.audit.selectors.chain)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import PathField


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    # No database-level foreign key: an audit row must never block, or be touched by, changes to users.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    # The unit the object belongs to, so that an auditor sees the events of their subtree.
    unit_path = PathField(_("单位路径"), max_length=255, blank=True)
    reason = models.CharField(_("事由"), max_length=500, blank=True)
    client_address = models.CharField(_("客户端地址"), max_length=45, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    # sha256 of the previous event's `hash` and this event's fields (linli.audit.selectors.chain.event_hash).
    prev_hash = models.CharField(_("前一条摘要"), max_length=64, blank=True, default="")
    hash = models.CharField(_("摘要"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [
            # audit_events_visible_to: events of a subtree, newest first.
            models.Index(fields=["unit_path", "at"], name="audit_unit_path_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"
