"""Mystery-shopper visits (SUP-1.3): the plan, the shopper's report and its media, and external shopper accounts.

Unannounced: ``Visit.objects.for_user`` shows a hall's staff nothing of a visit until its report is accepted; only
those who plan visits (``mystery.plan``) see plans and reports before that. A shopper sees their own visits through
``Visit.objects.assigned_to(user)`` and nothing else: an external shopper account carries no hall or region role,
so every ``for_user`` in the product returns nothing for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class ShopperAccount(models.Model):
    """An external mystery shopper （暗访员）. Deliberately NOT a staff role: it grants no hall or region access."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shopper_account"
    )
    region = models.ForeignKey(
        "halls.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("暗访员")
        verbose_name_plural = _("暗访员")

    def __str__(self) -> str:
        return self.user.get_username()


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("待暗访")
    SUBMITTED = "submitted", _("报告待审核")
    RETURNED = "returned", _("报告已退回")
    ACCEPTED = "accepted", _("报告已通过")
    CANCELLED = "cancelled", _("已取消")


class VisitQuerySet(HallScopedQuerySet):
    def for_user(self, user, capability: str | None = None):
        from staff.access import hall_ids_for_user, hall_ids_with

        planner_halls = hall_ids_with(user, "mystery.plan")
        visible = hall_ids_for_user(user) if capability is None else hall_ids_with(user, capability)
        if planner_halls is None:
            return self if visible is None else self.filter(hall_id__in=visible)
        accepted = models.Q(status=VisitStatus.ACCEPTED)
        if visible is not None:
            accepted &= models.Q(hall_id__in=visible)
        return self.filter(accepted | models.Q(hall_id__in=planner_halls))

    def assigned_to(self, user):
        return self.filter(shopper=user).exclude(status=VisitStatus.CANCELLED)


class Visit(models.Model):
    """A visit plan and, once the shopper reports, its report (one record: a plan has exactly one report)."""

    region = models.ForeignKey(
        "halls.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    scenario = models.TextField(_("暗访场景"), max_length=2000)
    items = models.JSONField(_("评分项"), default=list)  # frozen copies from the item bank
    window_start = models.DateField(_("暗访起始日"))
    window_end = models.DateField(_("暗访截止日"))
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mystery_visits",
        verbose_name=_("暗访员"),
    )
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_at = models.DateTimeField(default=timezone.now)
    revisit_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisits",
        verbose_name=_("复访"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    # The report: a timeline of the visit as the shopper observed it.
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    ticket_number = models.CharField(_("排队号"), max_length=8, blank=True)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    counter_label = models.CharField(_("窗口"), max_length=32, blank=True)
    # Name or employee number as read from the badge: personal information, encrypted.
    clerk_observed = EncryptedTextField(_("接待员工"), blank=True, default="")
    left_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    answers = models.JSONField(_("评分"), default=list)
    findings = EncryptedTextField(_("具体情况"), blank=True, default="")
    suggestions = EncryptedTextField(_("改进建议"), blank=True, default="")
    score_num = models.FloatField(default=0)
    score_den = models.FloatField(default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    matched_clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("对应员工"),
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("神秘顾客暗访")
        verbose_name_plural = _("神秘顾客暗访")
        ordering = ["-window_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")), name="insp_visit_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.window_start}–{self.window_end}"

    @property
    def score_pct(self) -> float | None:
        return round(100 * self.score_num / self.score_den, 1) if self.score_den else None

    @property
    def masked_clerk(self) -> str:
        from lib.masking import mask_name

        return mask_name(self.clerk_observed) if self.clerk_observed else ""


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    AUDIO = "audio", _("录音")


class VisitMedia(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="media")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    # Private storage (var/private), served only by the access-checked view.
    file = models.FileField(upload_to="visits/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["visit", "pk"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.kind}"
