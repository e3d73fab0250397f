"""The notification outbox (CMP-1, CMP-3): every SMS, WeCom robot message and e-mail is a row first.

A row is queued inside the business transaction (so a rolled-back action sends nothing), then delivered by
``notification_drain`` (run by ``manage.py worker``) or promptly by a Django task; ``dedupe_key`` makes enqueueing
idempotent and the conditional UPDATE queued → sending makes each delivery attempt happen once.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群机器人")
    EMAIL = "email", _("电子邮件")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Notification(models.Model):
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("营业厅")
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    # A phone number (SMS), a WeCom robot name (key of TINGWU_WECOM_WEBHOOKS, "default" = TINGWU_WECOM_WEBHOOK_URL)
    # or an e-mail address: encrypted because a phone number is personal information.
    recipient = EncryptedTextField(_("接收方"))
    recipient_masked = models.CharField(_("接收方（脱敏）"), max_length=128, blank=True)
    template = models.CharField(_("模板"), max_length=64)
    # Rendered text may quote a customer's name or demand: encrypted too.
    body = EncryptedTextField(_("内容"))
    # Channel options without personal information, e.g. {"mentioned_list": ["userid"], "msgtype": "markdown"}.
    options = models.JSONField(_("选项"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=6)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    last_error = models.CharField(_("最近错误（脱敏）"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Used by notify.services.notification_drain (run by `manage.py worker`): queued rows by due time.
            models.Index(
                fields=["next_attempt_at"],
                name="notify_due",
                condition=models.Q(status="queued"),
            ),
            models.Index(fields=["content_type", "object_id"], name="notify_subject"),
            models.Index(fields=["hall", "status", "created_at"], name="notify_outbox_page"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} → {self.recipient_masked}"

    @property
    def template_label(self):
        from notify.messages import template_label

        return template_label(self.template)

    @property
    def recipient_label(self):
        """A WeCom group robot is named in settings (``default`` = TINGWU_SLA_WECOM_ROBOT's fallback): say so."""
        if (
            self.channel == "wecom"
            and "@" not in self.recipient_masked
            and not self.recipient_masked.startswith("http")
        ):
            if self.recipient_masked in ("", "default"):
                return _("默认企业微信群机器人")
            return _("企业微信群机器人：%(name)s") % {"name": self.recipient_masked}
        return self.recipient_masked
