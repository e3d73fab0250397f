"""KPI records (SUP-2, SUP-3): daily rollups, the days to recompute, the three-month flags and their decisions, the
monthly service analysis meeting and its 《服务改进计划》 items.

Rollups are the only thing monthly reports read: one row per (day, hall, clerk, business type, kpi, source) with the
summed numerator and denominator, replaced whole for a day by ``kpi.rollup.rollup_day``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class DailyRollup(models.Model):
    day = models.DateField(_("日期"))
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    region_id = models.BigIntegerField(_("区域"))  # copied from the hall so region reports need no join
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    business_type = models.ForeignKey(
        "catalog.BusinessType", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kpi = models.CharField(_("指标"), max_length=32)
    source = models.CharField(_("来源"), max_length=32)
    numerator = models.FloatField(_("分子"))
    denominator = models.FloatField(_("分母"))
    pending = models.FloatField(
        _("未结"), default=0
    )  # e.g. complaints still open (shown apart, not in the ratio)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核日汇总")
        verbose_name_plural = _("考核日汇总")
        indexes = [
            models.Index(fields=["day", "hall"], name="kpi_rollup_day_hall"),
            models.Index(fields=["region_id", "day"], name="kpi_rollup_region_day"),
            models.Index(fields=["clerk", "day"], name="kpi_rollup_clerk_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hall_id} {self.kpi}/{self.source}"


class MonthRollup(models.Model):
    """Σ of a month's daily rollups per (hall, kpi, source), rewritten with them (``kpi.rollup.rollup_range``): the
    month figures and trends of a hall, a region or the chain read these — a few rows per hall instead of one per
    day and clerk. Clerk figures read the daily rows."""

    month = models.DateField(_("月份"))
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    region_id = models.BigIntegerField(_("区域"))
    kpi = models.CharField(_("指标"), max_length=32)
    source = models.CharField(_("来源"), max_length=32)
    numerator = models.FloatField(_("分子"))
    denominator = models.FloatField(_("分母"))
    pending = models.FloatField(_("未结"), default=0)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核月汇总")
        verbose_name_plural = _("考核月汇总")
        indexes = [
            models.Index(fields=["month", "hall"], name="kpi_month_rollup_month_hall"),
            models.Index(fields=["region_id", "month"], name="kpi_month_rollup_region"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["month", "hall", "kpi", "source"], name="kpi_month_rollup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.hall_id} {self.kpi}/{self.source}"


class RollupDay(models.Model):
    """A day's rollup state: ``dirty`` days are recomputed by the next sweep."""

    day = models.DateField(unique=True)
    dirty = models.BooleanField(default=True)
    marked_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}"


class Subject(models.TextChoices):
    CLERK = "clerk", _("员工")
    HALL = "hall", _("营业厅")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待决定")
    DECIDED = "decided", _("已决定")
    CLOSED = "closed", _("已关闭")


class Decision(models.TextChoices):
    RETRAINING = "retraining", _("再培训")
    REASSIGNMENT = "reassignment", _("调岗")
    REGION_REVIEW = "region_review", _("区域督导整改")


class Flag(models.Model):
    """Three consecutive months below target (SUP-2): raised on the 1st, decided by the hall manager (a clerk) or the
    region (a hall); the decision, its follow-up and the following months' results are this one record."""

    subject = models.CharField(_("对象"), max_length=8, choices=Subject.choices)
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    region_id = models.BigIntegerField(_("区域"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kpi = models.CharField(_("指标"), max_length=32)
    month = models.DateField(_("触发月份"))  # the last of the months below target (first day of it)
    months = models.JSONField(_("连续月份结果"), default=list)
    status = models.CharField(_("状态"), max_length=8, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    flagged_at = models.DateTimeField(_("标记时间"), default=timezone.now)
    decision = models.CharField(_("处理决定"), max_length=16, choices=Decision.choices, blank=True)
    reason = EncryptedTextField(_("决定理由"), blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    # The retraining the decision assigned (SUP-2 → STF-3.1): a real link, so the register follows it to done.
    retraining = models.ForeignKey(
        "training.RetrainingAssignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpi_flags",
        verbose_name=_("培训安排"),
    )
    follow_up = EncryptedTextField(_("跟进情况"), blank=True, default="")

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("连续未达标记录")
        verbose_name_plural = _("连续未达标记录")
        ordering = ["-month", "hall_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "hall", "clerk", "kpi", "month"], name="kpi_flag_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.subject} {self.kpi}"


class Meeting(models.Model):
    """The monthly service analysis meeting (SUP-3) of a hall."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    month = models.DateField(_("分析月份"))
    held_on = models.DateField(_("会议日期"))
    attendees = EncryptedTextField(_("参会人员"))
    highlights = EncryptedTextField(_("亮点"), blank=True, default="")
    problems = EncryptedTextField(_("问题"), blank=True, default="")
    decisions = EncryptedTextField(_("决定事项"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务分析会")
        verbose_name_plural = _("服务分析会")
        ordering = ["-month", "-held_on"]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.month:%Y-%m}"


class PlanStatus(models.TextChoices):
    OPEN = "open", _("待开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")


class PlanItem(models.Model):
    """One item of the 《服务改进计划》; its deadline is an SLA clock (warning, breach, escalation)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    what = EncryptedTextField(_("改进事项"))
    why = EncryptedTextField(_("原因"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    deadline = models.DateTimeField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    evidence = EncryptedTextField(_("完成证据"), blank=True, default="")
    kpi = models.CharField(_("目标指标"), max_length=32)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务改进计划事项")
        verbose_name_plural = _("服务改进计划事项")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.sla_label

    def get_absolute_url(self) -> str:
        return reverse("kpi:meeting", args=[self.meeting_id])

    @property
    def sla_label(self) -> str:  # PI-free: the escalation notices name the item by number only
        return f"改进计划#{self.pk}"


class MonthRun(models.Model):
    """The three-month rule ran for this month (so the sweep on the 1st runs it once)."""

    month = models.DateField(unique=True)
    ran_at = models.DateTimeField(default=timezone.now)
    flags = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ProcessChange(models.Model):
    """The quarterly process optimisation register (SUP-3): a process change of a business type at a hall (steps or
    materials simplified, online appointments added) and the date it took effect; its effect is measured from the
    tickets before and after (``kpi.process.process_effect``)."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", verbose_name=_("营业厅")
    )
    business_type = models.ForeignKey(
        "catalog.BusinessType", on_delete=models.PROTECT, related_name="+", verbose_name=_("业务")
    )
    quarter = models.CharField(_("季度"), max_length=7)  # "2026-Q4"
    effective_on = models.DateField(_("生效日期"))
    description = EncryptedTextField(_("优化内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("流程优化记录")
        verbose_name_plural = _("流程优化记录")
        ordering = ["-effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.quarter} {self.hall_id} {self.business_type_id}"
