"""Consultations (BIZ-2.1): on-site questions answered later by callback, and online (WeCom / APP) questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import CaseCounter, CaseFile, TimelineEvent, masked
from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class Channel(models.TextChoices):
    ONSITE = "onsite", _("现场")
    WECOM = "wecom", _("企业微信")
    APP = "app", _("手机APP")


ONLINE_CHANNELS = (Channel.WECOM, Channel.APP)


class Status(models.TextChoices):
    AWAITING_CALLBACK = "awaiting_callback", _("待回复")  # on-site, not answerable on the spot
    AWAITING_RESPONSE = "awaiting_response", _("待首次响应")  # online, 1 h
    IN_PROGRESS = "in_progress", _("处理中")  # online complex question, 48 h
    CLOSED = "closed", _("已答复结案")


OPEN_STATUSES = (Status.AWAITING_CALLBACK, Status.AWAITING_RESPONSE, Status.IN_PROGRESS)


class ReplyMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    ONLINE = "online", _("线上回复")


class ConsultationCounter(CaseCounter):
    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="consultation_counter_unique")]


class ConsultationQuerySet(HallScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Consultation(CaseFile):
    detail_url_name = "consultations:detail"

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("营业厅")
    )
    number = models.CharField(_("咨询编号"), max_length=40, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    customer_name = EncryptedTextField(_("客户姓名"))
    # contact_phone and its phone_index come from casework.CaseFile
    question = EncryptedTextField(_("咨询问题"))
    business_type = models.ForeignKey(
        "catalog.BusinessType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("业务类型"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    is_complex = models.BooleanField(_("复杂问题"), default=False)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    source_token = models.ForeignKey(
        "integrations.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    answer = EncryptedTextField(_("答复内容"), blank=True, default="")
    reply_method = models.CharField(_("答复方式"), max_length=16, choices=ReplyMethod.choices, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("答复人"),
    )

    # What staff may reveal (audited, ``privacy.services.pi_reveal``) for the callback (BIZ-2.1).
    PI_FIELDS = frozenset({"customer_name", "contact_phone"})

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["hall", "status", "recorded_at"], name="consultation_hall_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_online(self) -> bool:
        return self.channel in ONLINE_CHANNELS

    # Free text may carry a phone / ID / account number: shown with those masked (pages, API).
    masked_question = masked("question")
    masked_answer = masked("answer")


class EventKind(models.TextChoices):
    RECORDED = "recorded", _("登记")
    FIRST_RESPONSE = "first_response", _("首次响应")
    MARKED_COMPLEX = "marked_complex", _("标记为复杂问题")
    ANSWERED = "answered", _("答复并结案")


class ConsultationEvent(TimelineEvent):
    CASE_FIELD = "consultation"
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("咨询事件")
        verbose_name_plural = _("咨询事件")
