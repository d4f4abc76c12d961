"""The outbox: every notification is a row first, delivered by the worker, retried with backoff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import PathField


class Notification(models.Model):
    class Channel(models.TextChoices):
        CONSOLE = "console", _("控制台")
        DATABASE = "database", _("站内")
        WEBHOOK = "webhook", _("工作群机器人")
        SMS = "sms", _("短信")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    # A phone number for SMS; empty for the other channels (the recipient or the group is enough).
    address = models.CharField(_("地址"), max_length=64, blank=True)
    text = models.CharField(_("内容"), max_length=1000)
    # The unit the notification is about, for scoping and the audit trail.
    unit_path = PathField(_("单位路径"), max_length=255, blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # notifications_due: what the worker should (re)try now.
            models.Index(
                fields=["next_attempt_at"], name="notification_due", condition=models.Q(state="pending")
            ),
            # a user's inbox.
            models.Index(fields=["recipient", "created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.pk}"
