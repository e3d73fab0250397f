"""The hall floor (ENV-3, STF-3.2, BIZ-4): announcements, emergency incidents, greeter referrals."""

from __future__ import annotations

import math
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class AnnouncementKind(models.TextChoices):
    NORMAL = "normal", _("普通公告")
    BUSINESS_CHANGE = "business_change", _("临时公告：业务变更")
    SYSTEM_UPGRADE = "system_upgrade", _("临时公告：系统升级")


TEMPORARY_KINDS = {AnnouncementKind.BUSINESS_CHANGE, AnnouncementKind.SYSTEM_UPGRADE}


def region_chain(region) -> list[int]:
    """A region and its ancestors (a region-wide announcement reaches every hall below it)."""
    from halls.models import Region

    ids: list[int] = []
    current = region
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = Region.objects.filter(pk=current.parent_id).first() if current.parent_id else None
    return ids


def _local_when(at: datetime) -> str:
    local = timezone.localtime(at)
    return _("%(month)s月%(day)s日 %(time)s") % {
        "month": local.month,
        "day": local.day,
        "time": local.strftime("%H:%M"),
    }


class AnnouncementQuerySet(HallScopedQuerySet):
    def for_user(self, user):
        from staff.access import hall_ids_for_user, region_ids_for_user

        hall_ids = hall_ids_for_user(user)
        if hall_ids is None:
            return self
        return self.filter(
            Q(hall_id__in=hall_ids) | Q(hall__isnull=True, region_id__in=region_ids_for_user(user))
        )

    def for_hall(self, hall):
        return self.filter(Q(hall=hall) | Q(hall__isnull=True, region_id__in=region_chain(hall.region)))

    def effective(self, at: datetime | None = None):
        """Shown on screens at ``at``: inside the window and not withdrawn (ENV-3)."""
        at = at or timezone.now()
        return self.filter(withdrawn_at__isnull=True, starts_at__lte=at).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )


class Announcement(models.Model):
    """A notice for the hall's screens. Region-wide ones have no hall (they reach every hall of the region)."""

    hall = models.ForeignKey(
        "halls.Hall",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("营业厅"),
    )
    region = models.ForeignKey(
        "halls.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("区域（全区域公告）"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AnnouncementKind.choices)
    title = models.CharField(_("标题"), max_length=80)
    body = models.TextField(_("内容"), max_length=500)
    starts_at = models.DateTimeField(_("生效时间"))
    ends_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    consult_wecom = models.CharField(_("企业微信咨询"), max_length=100, blank=True)
    consult_window = models.CharField(_("咨询窗口"), max_length=100, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("撤下人"),
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hall__isnull=False) | Q(region__isnull=False), name="announcement_has_scope"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="announcement_ends_after_start",
            ),
        ]
        # Screens read "effective now" per hall on every page load and event.
        indexes = [models.Index(fields=["hall", "starts_at"], name="announcement_hall_window")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_temporary(self) -> bool:
        return self.kind in TEMPORARY_KINDS

    def consult_channels(self) -> list[str]:
        parts = []
        if self.consult_phone:
            parts.append(_("电话 %(v)s") % {"v": self.consult_phone})
        if self.consult_wecom:
            parts.append(_("企业微信 %(v)s") % {"v": self.consult_wecom})
        if self.consult_window:
            parts.append(self.consult_window)
        return parts

    def effective_label(self) -> str:
        """ENV-3 「标注生效时间」: what the scroller, the kiosk and the poster print."""
        start = _local_when(self.starts_at)
        if self.ends_at is None:
            return _("生效时间：%(start)s") % {"start": start}
        return _("生效时间：%(start)s 至 %(end)s") % {"start": start, "end": _local_when(self.ends_at)}

    def is_effective(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return (
            self.withdrawn_at is None and self.starts_at <= at and (self.ends_at is None or self.ends_at > at)
        )


class IncidentKind(models.TextChoices):
    SYSTEM_FAILURE = "system_failure", _("系统故障")
    DISPUTE = "dispute", _("现场纠纷")


class Incident(models.Model):
    """Emergency mode of a hall (STF-3.2): at most one open incident per hall."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="incidents", verbose_name=_("营业厅")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=IncidentKind.choices)
    expected_recovery_at = models.DateTimeField(_("预计恢复时间"))
    note = EncryptedTextField(_("情况说明"), blank=True)  # may name the customer in a dispute
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("启动人")
    )
    declared_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("结束人"),
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_note = EncryptedTextField(_("处理结果"), blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急事件")
        verbose_name_plural = _("应急事件")
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall"], condition=Q(ended_at__isnull=True), name="incident_one_open_per_hall"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.get_kind_display()} {self.declared_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def minutes_left(self, now: datetime | None = None) -> int:
        """Whole minutes until the expected recovery, rounded up (never 0 while still expected)."""
        now = now or timezone.now()
        return max(0, math.ceil((self.expected_recovery_at - now).total_seconds() / 60))

    def customer_notice(self, now: datetime | None = None) -> str:
        """The standard words for customers (STF-3.2), with the minutes computed now."""
        minutes = self.minutes_left(now)
        if minutes <= 0:
            return str(_("系统正在抓紧恢复，请您在等候区稍作休息，给您带来不便敬请谅解"))
        if self.kind == IncidentKind.DISPUTE:
            return str(
                _("现场服务临时调整，预计%(minutes)s分钟后恢复，您可先在等候区稍作休息")
                % {"minutes": minutes}
            )
        return str(
            _("系统临时维护，预计%(minutes)s分钟后恢复，您可先在等候区稍作休息") % {"minutes": minutes}
        )


class IncidentAction(models.TextChoices):
    DECLARED = "declared", _("启动")
    EXTENDED = "extended", _("调整预计恢复时间")
    ENDED = "ended", _("结束")


class IncidentLog(models.Model):
    """Who started, changed and ended an incident, and when (STF-3.2)."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("操作"), max_length=16, choices=IncidentAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    expected_recovery_at = models.DateTimeField(_("预计恢复时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急事件记录")
        verbose_name_plural = _("应急事件记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.action} {self.at:%H:%M}"


class SelfServiceReferral(models.Model):
    """A greeter sent a customer to the self-service terminals instead of (or as well as) a counter."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    business_type = models.ForeignKey(
        "catalog.BusinessType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("业务"),
    )
    ticket_number = models.CharField(_("票号"), max_length=8, blank=True)
    greeter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("引导员")
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("引导至自助服务")
        verbose_name_plural = _("引导至自助服务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["hall", "created_at"], name="selfservice_hall_day")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.ticket_number or '-'} {self.created_at:%H:%M}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DECLARED = "declared", _("已启动应急模式")
    DISMISSED = "dismissed", _("已处理，无需应急模式")


class IncidentReport(models.Model):
    """STF-3.2 「第一时间向值班主管汇报」: a clerk's report of a system failure or a dispute, from the console. The duty
    supervisor is notified at once and turns it into emergency mode (an ``Incident``) or closes it."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    counter = models.ForeignKey(
        "halls.Counter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("窗口"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=IncidentKind.choices)
    note = EncryptedTextField(_("情况说明"), blank=True)  # a dispute may name the customer
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("汇报人")
    )
    reported_at = models.DateTimeField(_("汇报时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("应急事件"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场汇报")
        verbose_name_plural = _("现场汇报")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["hall", "status"], name="incident_report_hall_status")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.get_kind_display()} {self.reported_at:%Y-%m-%d %H:%M}"

    @property
    def sla_label(self) -> str:
        return str(_("现场汇报#%(pk)s") % {"pk": self.pk})
