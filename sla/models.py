"""SLA clocks (CMP-2.1, BIZ-2.1): one clock per subject and target, with a snapshot deadline and an event log.

The deadline, warn time and escalation schedule are snapshots computed when the clock starts (from the standard
in force then); the ``ClockEvent`` log is the truth of what happened. See docs/sla.md.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from sla.policy import POLICIES, Target


class CalendarKind(models.TextChoices):
    CLOCK = "clock", _("自然小时")
    BUSINESS = "business", _("营业时间")


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已达成")
    BREACHED = "breached", _("已超时")
    CANCELLED = "cancelled", _("已取消")


# A clock still waiting to be met; a breached clock stays open until it is met late (or cancelled).
OPEN_STATUSES = (ClockStatus.RUNNING, ClockStatus.PAUSED, ClockStatus.BREACHED)


class ClockState(models.TextChoices):
    OK = "ok", _("正常")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已超时")
    MET = "met", _("按时达成")
    MET_LATE = "met_late", _("超时后达成")
    PAUSED = "paused", _("已暂停")
    CANCELLED = "cancelled", _("已取消")


class ClockQuerySet(HallScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_subject(self, subject):
        ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
        return self.filter(content_type=ct, object_id=subject.pk)


class Clock(models.Model):
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="sla_clocks", verbose_name=_("营业厅")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("content_type", "object_id")
    target = models.CharField(_("时限目标"), max_length=48, choices=Target.choices)
    # 1, 2, 3 … for periodic targets (complex-complaint progress reports) and restarts of the same target.
    cycle = models.PositiveIntegerField(_("周期"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=ClockStatus.choices, default=ClockStatus.RUNNING
    )
    calendar = models.CharField(
        _("日历"), max_length=16, choices=CalendarKind.choices, default=CalendarKind.CLOCK
    )
    standard_version = models.ForeignKey(
        "standard.StandardVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("规范版本")
    )
    target_seconds = models.PositiveIntegerField(_("时限（秒）"))
    warn_share = models.FloatField(_("预警比例"))
    escalation_step_seconds = models.PositiveIntegerField(_("升级间隔（秒）"))
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    warn_at = models.DateTimeField(_("预警时间"))
    # Calendar seconds spent paused (business seconds on a business calendar); already included in deadline.
    paused_seconds = models.PositiveIntegerField(_("累计暂停（秒）"), default=0)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("预警发出时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    met_at = models.DateTimeField(_("达成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("已升级级别"), default=0)
    # When the sweep next has something to do for this clock (the earliest of warn_at / deadline / next
    # escalation); NULL when nothing is left (paused, met, cancelled, ladder exhausted).
    next_check_at = models.DateTimeField(_("下次检查时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ClockQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务时限")
        verbose_name_plural = _("服务时限")
        ordering = ["deadline"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="sla_clock_subject"),
            # Used by sla.services.sla_sweep (run by `manage.py worker`) to find due clocks: only clocks with
            # something left to do are in the index, so the look-up costs in proportion to the due ones.
            models.Index(
                fields=["next_check_at"],
                name="sla_clock_due",
                condition=models.Q(next_check_at__isnull=False),
            ),
            # The "due soon" board: open clocks of a hall by deadline.
            models.Index(fields=["hall", "status", "deadline"], name="sla_clock_board"),
        ]
        constraints = [
            # At most one open clock per subject and target; periodic cycles and restarts follow one another.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "target"],
                condition=models.Q(status__in=["running", "paused", "breached"]),
                name="sla_clock_one_open_per_target",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "target", "cycle"], name="sla_clock_cycle_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} #{self.cycle} → {self.deadline:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_pausable(self) -> bool:
        """Whether the target's policy lets it wait on the customer (promises to the customer never pause)."""
        policy = POLICIES.get(self.target)
        return bool(policy and policy.pausable)

    def state(self, now=None) -> str:
        """ok / due_soon (past the warn share) / overdue / met / met_late (plus paused / cancelled): the rule on
        the record, like healthchecks' ``Check.get_status()``; ``now`` defaults to the current time."""
        now = now or timezone.now()
        if self.status == ClockStatus.MET:
            late = self.breached_at is not None or (self.met_at and self.met_at > self.deadline)
            return ClockState.MET_LATE if late else ClockState.MET
        if self.status == ClockStatus.CANCELLED:
            return ClockState.CANCELLED
        if self.status == ClockStatus.PAUSED:
            return ClockState.PAUSED
        if self.status == ClockStatus.BREACHED or self.deadline <= now:
            return ClockState.OVERDUE
        if self.warn_at <= now:
            return ClockState.DUE_SOON
        return ClockState.OK


class EventKind(models.TextChoices):
    STARTED = "started", _("开始计时")
    WARNED = "warned", _("到期预警")
    BREACHED = "breached", _("超时")
    ESCALATED = "escalated", _("逐级上报")
    MET = "met", _("达成")
    PAUSED = "paused", _("暂停")
    RESUMED = "resumed", _("恢复")
    CANCELLED = "cancelled", _("取消")
    RESTARTED = "restarted", _("重新计时")


class ClockEvent(models.Model):
    """Append-only log. Warnings, breaches and escalations are unique per (clock, kind, level): the insert is the
    claim that makes each notice go out exactly once, even with several sweeps running at the same time."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="events", verbose_name=_("时限"))
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)
    level = models.PositiveSmallIntegerField(_("级别"), default=0)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("时限事件")
        verbose_name_plural = _("时限事件")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "kind", "level"],
                condition=models.Q(kind__in=["warned", "breached", "escalated"]),
                name="sla_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
