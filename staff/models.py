"""Staff and access (STF-1, BIZ-3): profiles, hall/region roles, duty roster, password history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet


class HallRole(models.TextChoices):
    CLERK = "clerk", _("营业员")
    GREETER = "greeter", _("引导员")
    DUTY_SUPERVISOR = "duty_supervisor", _("值班主管")
    HALL_MANAGER = "hall_manager", _("厅经理")


class RegionRole(models.TextChoices):
    QUALITY_INSPECTOR = "quality_inspector", _("质检员")
    HQ_ADMIN = "hq_admin", _("总部管理员")
    AUDITOR = "auditor", _("审计员")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    full_name = models.CharField(_("姓名"), max_length=64)
    employee_number = models.CharField(_("工号"), max_length=32, unique=True)
    post = models.CharField(_("岗位"), max_length=64)
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("员工档案")
        verbose_name_plural = _("员工档案")
        ordering = ["employee_number"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_number})"


class HallAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hall_assignments"
    )
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("营业厅")
    )
    role = models.CharField(_("角色"), max_length=32, choices=HallRole.choices)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("营业厅岗位")
        verbose_name_plural = _("营业厅岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "hall", "role"], name="hall_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.hall}: {self.get_role_display()}"


class RegionAssignment(models.Model):
    """Regional roles. ``region`` empty means every region (HQ)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_assignments"
    )
    region = models.ForeignKey(
        "halls.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("区域（空=全部）"),
    )
    role = models.CharField(_("角色"), max_length=32, choices=RegionRole.choices)

    class Meta:
        verbose_name = _("区域岗位")
        verbose_name_plural = _("区域岗位")

    def __str__(self) -> str:
        return f"{self.user} @ {self.region or _('全部区域')}: {self.get_role_display()}"


class DutyShift(models.Model):
    """Who is duty supervisor of a hall at a given time (escalations use it)."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("营业厅")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="duty_shifts",
        verbose_name=_("值班主管"),
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["hall", "starts_at"]
        indexes = [models.Index(fields=["hall", "starts_at", "ends_at"], name="dutyshift_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="dutyshift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} {self.user}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=256)  # the hash, never the password
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """Maps a user to their session keys so that disabling an account can end its sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"
