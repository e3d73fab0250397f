"""Customers and the audit of access to their personal information (BIZ-3, PIPL)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from lib.masking import mask_id_number, mask_name, mask_phone
from privacy import crypto
from privacy.fields import EncryptedTextField


class Customer(models.Model):
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="customers", verbose_name=_("登记营业厅")
    )
    name = EncryptedTextField(_("姓名"))
    mobile = EncryptedTextField(_("手机号"))
    mobile_index = models.CharField(max_length=40, db_index=True, editable=False)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_index = models.CharField(max_length=40, db_index=True, blank=True, default="", editable=False)
    is_elderly = models.BooleanField(_("老年人"), default=False)
    is_disabled = models.BooleanField(_("残障人士"), default=False)
    is_pregnant = models.BooleanField(_("孕妇"), default=False)
    green_channel_agreement = models.CharField(_("绿色通道协议号"), max_length=64, blank=True)
    green_channel_until = models.DateField(_("绿色通道有效期至"), null=True, blank=True)
    marketing_consent = models.BooleanField(_("同意营销"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        permissions = [("reveal_pi", _("可查看完整个人信息"))]

    def __str__(self) -> str:
        return f"{self.masked_name} {self.masked_mobile}"

    def save(self, *args, **kwargs):
        self.mobile_index = crypto.blind_index("phone", self.mobile) if self.mobile else ""
        self.id_index = crypto.blind_index("id", self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def has_green_channel(self) -> bool:
        return bool(self.green_channel_agreement) and (
            self.green_channel_until is None or self.green_channel_until >= timezone.localdate()
        )

    @property
    def is_priority(self) -> bool:
        return self.is_elderly or self.is_disabled or self.is_pregnant


class PIAccessLogQuerySet(HallScopedQuerySet):
    pass


class PIAccessLog(models.Model):
    """Who saw which personal information, when, why and from where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pi_access_logs",
        verbose_name=_("查看人"),
    )
    hall = models.ForeignKey(
        "halls.Hall",
        null=True,
        on_delete=models.PROTECT,
        related_name="pi_access_logs",
        verbose_name=_("营业厅"),
    )
    subject_type = models.CharField(_("对象类型"), max_length=64)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    reason = models.CharField(_("查看原因"), max_length=255)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    objects = PIAccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.subject_type}#{self.subject_id}.{self.field}"
