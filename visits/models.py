"""Home visits (BIZ-1.2, BIZ-4): a customer with limited mobility, or a group customer by agreement, is served at
home. Content and time are confirmed in advance, the customer's authorisation is recorded before a clerk is
assigned, and the result is recorded. Name, phone, address and free text are encrypted and shown masked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import CaseCounter, CaseFile, TimelineEvent, masked
from halls.models import HallScopedQuerySet
from lib.masking import mask_name, mask_pi_in_text
from privacy.fields import EncryptedTextField


class Reason(models.TextChoices):
    LIMITED_MOBILITY = "limited_mobility", _("行动不便")
    GROUP_AGREEMENT = "group_agreement", _("集团客户协议")


class Status(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    CONFIRMED = "confirmed", _("已确认内容与时间")
    AUTHORISED = "authorised", _("已取得授权")
    ASSIGNED = "assigned", _("已派员")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (Status.REQUESTED, Status.CONFIRMED, Status.AUTHORISED, Status.ASSIGNED)


class AuthorisationMethod(models.TextChoices):
    WRITTEN = "written", _("书面授权书")
    RECORDED_CALL = "recorded_call", _("电话录音确认")
    SMS = "sms", _("短信回复确认")
    IN_PERSON = "in_person", _("当面确认")


class Authoriser(models.TextChoices):
    SELF = "self", _("客户本人")
    GUARDIAN = "guardian", _("监护人")
    AGENT = "agent", _("委托代理人")
    GROUP_CONTACT = "group_contact", _("集团客户联系人")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("已办结")
    NOT_COMPLETED = "not_completed", _("未能办结")


class VisitCounter(CaseCounter):
    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="visit_counter_unique")]


class HomeVisit(CaseFile):
    detail_url_name = "visits:detail"

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("营业厅")
    )
    number = models.CharField(_("预约编号"), max_length=40, unique=True)
    reason = models.CharField(_("上门原因"), max_length=20, choices=Reason.choices)
    agreement_reference = models.CharField(_("集团协议编号"), max_length=64, blank=True)
    customer_name = EncryptedTextField(_("客户姓名"))
    # contact_phone and its phone_index come from casework.CaseFile
    address = EncryptedTextField(_("上门地址"))
    business_type = models.ForeignKey(
        "catalog.BusinessType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("业务类型"),
    )
    content = EncryptedTextField(_("服务内容"))
    preferred_time = models.DateTimeField(_("客户期望时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    booked_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    # Confirmed in advance with the customer (BIZ-4 提前确认服务内容与时间).
    scheduled_at = models.DateTimeField(_("上门时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The customer's authorisation (BIZ-1.2 需客户授权): who gave it, how, when; required before assignment.
    authoriser = models.CharField(_("授权人身份"), max_length=16, choices=Authoriser.choices, blank=True)
    authoriser_name = EncryptedTextField(_("授权人姓名"), blank=True, default="")
    authorisation_method = models.CharField(
        _("授权方式"), max_length=16, choices=AuthorisationMethod.choices, blank=True
    )
    authorised_at = models.DateTimeField(_("授权时间"), null=True, blank=True)
    authorisation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_visits",
        verbose_name=_("上门员工"),
    )
    assigned_at = models.DateTimeField(_("派员时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, blank=True)
    result = EncryptedTextField(_("办理结果"), blank=True, default="")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    PI_FIELDS = frozenset({"customer_name", "contact_phone", "address"})

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("上门服务")
        verbose_name_plural = _("上门服务")
        ordering = ["-booked_at"]
        indexes = [models.Index(fields=["hall", "status", "scheduled_at"], name="visit_hall_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    masked_authoriser_name = masked("authoriser_name", mask_name)

    @property
    def masked_address(self) -> str:
        """The district-level start of the address; house numbers and everything after stay hidden."""
        text = mask_pi_in_text(self.address or "")
        return text[:6] + "****" if len(text) > 6 else "****"

    masked_content = masked("content")
    masked_result = masked("result")


class EventKind(models.TextChoices):
    BOOKED = "booked", _("预约登记")
    CONFIRMED = "confirmed", _("确认内容与时间")
    AUTHORISED = "authorised", _("记录客户授权")
    ASSIGNED = "assigned", _("派员")
    DONE = "done", _("记录结果")
    CANCELLED = "cancelled", _("取消")


class VisitEvent(TimelineEvent):
    CASE_FIELD = "visit"
    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("上门服务事件")
        verbose_name_plural = _("上门服务事件")
