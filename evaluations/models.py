"""Customer evaluations (SUP-1.2): an invitation per finished ticket, at most one evaluation per ticket, rating pads
paired to a counter, low-score follow-ups, editable reason chips.

Writes happen only in ``evaluations.services``. An evaluation is credited to what the ticket recorded when it was
finished — the clerk who finished it (after a transfer, the last one), the hall, the counter, the business type —
copied onto the invitation at invite time so later edits of the ticket never move a rating to someone else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from lib.i18n import in_ui_language
from lib.masking import mask_phone, mask_pi_in_text
from privacy.fields import EncryptedTextField


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    NEUTRAL = 3, _("一般")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


TOP_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)  # the numerator of satisfaction
LOW_LEVEL_MAX = Level.DISSATISFIED  # 不满意 or worse: notify the duty supervisor, open a follow-up


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("已邀请")
    ANSWERED = "answered", _("已评价")
    DECLINED = "declined", _("已谢绝")
    EXPIRED = "expired", _("已过期")


class Channel(models.TextChoices):
    PAD = "pad", _("评价器")
    SMS = "sms", _("短信回复")
    WEB = "web", _("短信链接")
    APP = "app", _("手机APP")


class Exclusion(models.TextChoices):
    NONE = "", _("无")
    PHONE_REPEAT = "phone_repeat", _("同一手机号当日评价过多")
    PAD_BURST = "pad_burst", _("同一评价器短时间内连续好评")


class Review(models.TextChoices):
    NONE = "", _("无需复核")
    PENDING = "pending", _("待复核")
    ACCEPTED = "accepted", _("复核通过（计入）")
    REJECTED = "rejected", _("复核不通过（剔除）")


class ReasonChip(models.Model):
    """A low-score reason offered below the top two levels. Editable data (admin), seeded by a migration."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    name_en = models.CharField(_("英文名称"), max_length=64, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评价原因")
        verbose_name_plural = _("评价原因")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The reason in the UI language (``lib.i18n.in_ui_language``)."""
        return in_ui_language(self.name, self.name_en)


class RatingPad(models.Model):
    """A rating pad (评价器) paired to one counter through a hall-bound ApiToken of kind ``rating_pad``."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    counter = models.OneToOneField(
        "halls.Counter", on_delete=models.CASCADE, related_name="rating_pad", verbose_name=_("窗口")
    )
    token = models.OneToOneField("integrations.ApiToken", on_delete=models.CASCADE, related_name="rating_pad")
    created_at = models.DateTimeField()

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价器")
        verbose_name_plural = _("评价器")

    def __str__(self) -> str:
        return f"{self.counter} {self.token.prefix}…"


class EvaluationInvitation(models.Model):
    """Every finished ticket is invited, automatically (never at the clerk's discretion)."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    region = models.ForeignKey("halls.Region", on_delete=models.PROTECT, related_name="+", db_index=False)
    ticket = models.OneToOneField(
        "queueing.Ticket", on_delete=models.CASCADE, related_name="evaluation_invitation"
    )
    counter = models.ForeignKey(
        "halls.Counter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("受理人员"),
    )
    business_type = models.ForeignKey(
        "catalog.BusinessType", on_delete=models.PROTECT, related_name="+", verbose_name=_("业务")
    )
    invited_at = models.DateTimeField(_("邀请时间"))  # = the ticket's finish time
    pad_until = models.DateTimeField(_("评价器截止"))
    expires_at = models.DateTimeField(_("过期时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_index = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    sms_sent = models.BooleanField(_("已发短信邀请"), default=False)
    help_sent = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        ordering = ["-invited_at", "-pk"]
        indexes = [
            models.Index(fields=["hall", "invited_at"], name="evalinv_hall_at"),
            models.Index(fields=["counter", "invited_at"], name="evalinv_counter_at"),
            models.Index(fields=["expires_at"], condition=Q(status="invited"), name="evalinv_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class EvaluationQuerySet(HallScopedQuerySet):
    def valid(self):
        return self.filter(valid=True)


class Evaluation(models.Model):
    """One per ticket (the unique constraint on ``ticket`` is the rule: the first submission wins)."""

    invitation = models.OneToOneField(
        EvaluationInvitation, on_delete=models.CASCADE, related_name="evaluation"
    )
    ticket = models.ForeignKey("queueing.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False)
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    region = models.ForeignKey("halls.Region", on_delete=models.PROTECT, related_name="+", db_index=False)
    counter = models.ForeignKey(
        "halls.Counter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
        verbose_name=_("受理人员"),
    )
    business_type = models.ForeignKey(
        "catalog.BusinessType", on_delete=models.PROTECT, related_name="+", verbose_name=_("业务")
    )
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)
    reasons = models.ManyToManyField(ReasonChip, blank=True, related_name="+", verbose_name=_("原因"))
    comment = EncryptedTextField(_("意见"), blank=True, default="")  # free text may hold PI
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    pad = models.ForeignKey(RatingPad, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone_index = models.CharField(max_length=40, blank=True, default="", editable=False)
    submitted_at = models.DateTimeField(_("评价时间"))
    # Counted in "valid" (the denominator of satisfaction) unless flagged; a manager's review settles it.
    valid = models.BooleanField(_("有效"), default=True)
    exclusion = models.CharField(
        _("剔除原因"), max_length=16, choices=Exclusion.choices, blank=True, default=""
    )
    exclusion_note = models.CharField(_("剔除说明"), max_length=200, blank=True, default="")
    review = models.CharField(_("复核"), max_length=16, choices=Review.choices, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户评价")
        verbose_name_plural = _("客户评价")
        ordering = ["-submitted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["ticket"], name="evaluation_one_per_ticket")]
        indexes = [
            models.Index(fields=["hall", "submitted_at"], name="evaluation_hall_at"),
            models.Index(fields=["pad", "submitted_at"], name="evaluation_pad_at"),
            models.Index(fields=["phone_index", "submitted_at"], name="evaluation_phone_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.level}"

    @property
    def is_top(self) -> bool:
        return self.level in TOP_LEVELS

    @property
    def is_low(self) -> bool:
        return self.level <= LOW_LEVEL_MAX

    @property
    def masked_comment(self) -> str:
        """Phone / ID / account numbers masked, as complaints mask a demand."""
        return mask_pi_in_text(self.comment or "")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    DONE = "done", _("已回访")


class FollowUpOutcome(models.TextChoices):
    RESOLVED = "resolved", _("问题已解决")
    EXPLAINED = "explained", _("已解释，客户理解")
    COMPLAINT = "complaint", _("转为投诉处理")
    UNREACHABLE = "unreachable", _("多次联系未接通")


class FollowUp(models.Model):
    """A 不满意 or worse opens a callback to the customer on the SLA engine (target ``evaluation_follow_up``)."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="follow_up")
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField(_("创建时间"))
    outcome = models.CharField(_("回访结果"), max_length=16, choices=FollowUpOutcome.choices, blank=True)
    note = EncryptedTextField(_("回访记录"), blank=True, default="")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("差评回访")
        verbose_name_plural = _("差评回访")
        ordering = ["status", "opened_at", "pk"]

    def __str__(self) -> str:
        return f"follow-up {self.evaluation_id}"

    @property
    def sla_label(self) -> str:
        ticket_number = self.evaluation.ticket.number
        return f"评价回访 {ticket_number}"
