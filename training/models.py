"""Monthly training (STF-3.1): sessions per hall, their materials and case links, sign-ins, retraining assignments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from lib.masking import mask_pi_in_text
from privacy.fields import EncryptedTextField

# A clerk may sign in from this long before the start until the end of the session (STF-3.1 sign-in window).
SIGN_IN_EARLY = timedelta(minutes=30)


class SessionKind(models.TextChoices):
    BRIEFING = "briefing", _("新业务解读")
    CASE_REVIEW = "case_review", _("案例复盘")
    RETRAINING = "retraining", _("转岗培训")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    CANCELLED = "cancelled", _("已取消")


class TrainingSession(models.Model):
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("营业厅")
    )
    kind = models.CharField(_("培训类型"), max_length=16, choices=SessionKind.choices)
    title = models.CharField(_("培训主题"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("讲师"),
    )
    trainer_name = models.CharField(_("讲师姓名"), max_length=64, blank=True)
    description = models.TextField(_("培训内容"), blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    has_quiz = models.BooleanField(_("有随堂测验"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["hall", "starts_at"], name="training_session_hall_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def sign_in_opens_at(self):
        return self.starts_at - SIGN_IN_EARLY

    def sign_in_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == SessionStatus.SCHEDULED and self.sign_in_opens_at <= at <= self.ends_at

    @property
    def trainer_label(self) -> str:
        if self.trainer_id:
            profile = getattr(self.trainer, "staff_profile", None)
            return profile.full_name if profile else self.trainer.get_username()
        return self.trainer_name


class MaterialKind(models.TextChoices):
    FILE = "file", _("文件")
    LINK = "link", _("链接")


class TrainingMaterial(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=MaterialKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    # Private default storage (var/private): served only through the access-checked view.
    file = models.FileField(_("文件"), upload_to="training/%Y/%m/", max_length=255, blank=True)
    url = models.URLField(_("链接"), max_length=500, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训资料")
        verbose_name_plural = _("培训资料")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title


class CaseLink(models.Model):
    """A complaint file reviewed in a case-review session; shown only through the complaint's masked presentation."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="case_links")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+")

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("复盘案例")
        verbose_name_plural = _("复盘案例")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["session", "complaint"], name="training_case_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.complaint_id}"


class SignInMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    MANUAL = "manual", _("补登")


class Attendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attendances"
    )
    signed_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    method = models.CharField(
        _("签到方式"), max_length=8, choices=SignInMethod.choices, default=SignInMethod.QR
    )
    quiz_score = models.PositiveSmallIntegerField(_("测验成绩"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "clerk"], name="training_attendance_once")]
        indexes = [models.Index(fields=["hall", "clerk"], name="training_attendance_clerk")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.clerk_id}"


class RetrainingStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待参加")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


class RetrainingAssignment(models.Model):
    """SUP-2 → STF-3.1: a retraining the clerk must attend; done when they sign in to a retraining session."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="retraining_assignments",
        verbose_name=_("员工"),
    )
    # Free text typed by a person may name a customer: encrypted like every other note.
    reason = EncryptedTextField(_("原因"))
    due = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RetrainingStatus.choices, default=RetrainingStatus.ASSIGNED
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("指派人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), default=timezone.now)
    session = models.ForeignKey(
        TrainingSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("参训场次"),
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("转岗培训指派")
        verbose_name_plural = _("转岗培训指派")
        ordering = ["-assigned_at", "pk"]
        indexes = [models.Index(fields=["clerk", "status"], name="training_retraining_open")]

    def __str__(self) -> str:
        return f"{self.clerk_id} {self.status}"

    @property
    def masked_reason(self) -> str:
        return mask_pi_in_text(self.reason or "")

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == RetrainingStatus.ASSIGNED and self.due is not None and self.due < today
