"""Environment and facilities (ENV-1, ENV-2.1, ENV-2.2, ENV-4, STF-3.2): the registry, maintenance plans and their
occurrences, device faults with the maintenance notice and guide, and the three cleanings a day.

See docs/facilities.md for the model, the recurrence choice and the fault flow.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from privacy.fields import EncryptedTextField


class FacilityKind(models.TextChoices):
    COUNTER = "counter", _("业务柜台")
    FORM_DESK = "form_desk", _("填单台（含填单样本）")
    WATER = "water", _("饮水机（含纸杯）")
    SEATS = "seats", _("等候座椅")
    CHARGING = "charging", _("充电设施")
    READING_RACK = "reading_rack", _("阅读架")
    SELF_SERVICE = "self_service", _("自助服务终端")
    QUEUE_KIOSK = "queue_kiosk", _("取号机")
    CALLING_DISPLAY = "calling_display", _("叫号显示屏")
    INFO_SCREEN = "info_screen", _("信息发布屏（流程/资费/公告）")
    PRINTER = "printer", _("复印打印机")
    RAMP = "ramp", _("无障碍坡道")
    LOW_COUNTER = "low_counter", _("低位服务台")
    OTHER = "other", _("其他设施")


# Facilities whose outage sends customers to a staffed counter instead (the greeter must stop sending them there).
SELF_SERVICE_KINDS = {FacilityKind.SELF_SERVICE, FacilityKind.QUEUE_KIOSK}


class FacilityStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("正常使用")
    FAULT = "fault", _("故障")
    UNDER_REPAIR = "under_repair", _("维修中")
    RETIRED = "retired", _("已报废")


class Facility(models.Model):
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="facilities", verbose_name=_("营业厅")
    )
    zone = models.ForeignKey(
        "halls.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
        verbose_name=_("功能区"),
    )
    kind = models.CharField(_("设施类型"), max_length=20, choices=FacilityKind.choices)
    asset_code = models.CharField(_("资产编号"), max_length=40)
    label = models.CharField(_("名称"), max_length=100)
    location = models.CharField(_("位置"), max_length=200, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=FacilityStatus.choices, default=FacilityStatus.IN_SERVICE
    )
    # A paired kiosk or display: its token's last use is the device's heartbeat (a silent one is a suspected fault).
    api_token = models.OneToOneField(
        "integrations.ApiToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facility",
        verbose_name=_("设备令牌"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("设施")
        verbose_name_plural = _("设施")
        ordering = ["hall", "kind", "asset_code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "asset_code"], name="facility_asset_unique_per_hall")
        ]
        indexes = [models.Index(fields=["hall", "kind", "status"], name="facility_hall_kind")]

    def __str__(self) -> str:
        return f"{self.label} ({self.asset_code})"

    def get_absolute_url(self) -> str:
        return reverse("facilities:facility", args=[self.pk])


class StatusChange(models.Model):
    """The facility's status history (ENV-2.2): every change, who and why."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("原状态"), max_length=16, choices=FacilityStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=FacilityStatus.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.facility_id} → {self.to_status}"


class MaintenancePlan(models.Model):
    """What to check, on which facilities (one, or every facility of a kind in the hall), how often (an RFC 5545
    RRULE fixed to the calendar) and the checklist. ``version`` grows on every change of rule or checklist."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    title = models.CharField(_("计划名称"), max_length=100)
    facility = models.ForeignKey(
        Facility,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
        verbose_name=_("设施"),
    )
    kind = models.CharField(_("设施类型"), max_length=20, choices=FacilityKind.choices, blank=True)
    rrule = models.CharField(_("周期规则"), max_length=200)
    dtstart = models.DateTimeField(_("起始时间"))
    checklist = models.JSONField(_("检查项"), default=list)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    # The first rule start not generated yet; NULL = recompute from ``updated_at`` (new plan, changed plan, new
    # facility of its kind). The sweep only looks at plans whose next start falls inside the horizon.
    generate_from = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("维护计划")
        verbose_name_plural = _("维护计划")
        ordering = ["hall", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=False, kind="") | Q(facility__isnull=True) & ~Q(kind=""),
                name="plan_one_facility_or_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title


class OccurrenceStatus(models.TextChoices):
    OPEN = "open", _("待检查")
    DONE = "done", _("已完成")


class Occurrence(models.Model):
    """One due check of one facility in one window. Unique per (plan, facility, window start): the sweep inserts
    with ON CONFLICT DO NOTHING, so two workers or a re-run never duplicate. ``checklist`` is the frozen copy."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="occurrences")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="occurrences")
    plan_version = models.PositiveIntegerField()
    window_start = models.DateTimeField(_("开始"))
    window_end = models.DateTimeField(_("截止"))
    checklist = models.JSONField(_("检查项（冻结副本）"))
    status = models.CharField(
        _("状态"), max_length=8, choices=OccurrenceStatus.choices, default=OccurrenceStatus.OPEN
    )
    clock_started = models.BooleanField(default=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("检查结果"), default=dict, blank=True)
    passed = models.BooleanField(_("全部通过"), null=True)
    note = EncryptedTextField(_("备注"), blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("维护检查")
        verbose_name_plural = _("维护检查")
        ordering = ["window_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "facility", "window_start"], name="occurrence_unique_window"
            )
        ]
        indexes = [
            models.Index(fields=["hall", "status", "window_end"], name="occurrence_board"),
            models.Index(fields=["status", "window_start"], name="occurrence_sweep"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.facility_id} {self.window_start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("facilities:occurrence", args=[self.pk])

    @property
    def sla_label(self) -> str:
        return f"{self.plan.title} · {self.facility.asset_code}"

    @property
    def on_time(self) -> bool | None:
        if self.completed_at is None:
            return None
        return self.completed_at <= self.window_end


class Photo(models.Model):
    """Evidence for a failed check item, a fault report or a cleaning round: private storage, content-sniffed."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    occurrence = models.ForeignKey(
        Occurrence, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    fault = models.ForeignKey("Fault", null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    cleaning_round = models.ForeignKey(
        "CleaningRound", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    item_key = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to="facilities/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = EncryptedTextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.file.name


class FaultSource(models.TextChoices):
    STAFF = "staff", _("员工报修")
    CHECKLIST = "checklist", _("检查不合格")
    DEVICE_SILENT = "device_silent", _("设备失联")
    CONSOLE = "console", _("窗口上报")
    SELF_INSPECTION = "self_inspection", _("服务自查不合格")


class FaultStatus(models.TextChoices):
    SUSPECTED = "suspected", _("疑似故障（待确认）")
    OPEN = "open", _("已确认故障")
    UNDER_REPAIR = "under_repair", _("维修中")
    RESOLVED = "resolved", _("已修复")
    DISMISSED = "dismissed", _("已排除")


ACTIVE_FAULT_STATUSES = (FaultStatus.SUSPECTED, FaultStatus.OPEN, FaultStatus.UNDER_REPAIR)
CONFIRMED_FAULT_STATUSES = (FaultStatus.OPEN, FaultStatus.UNDER_REPAIR)


class Fault(models.Model):
    """A device fault (ENV-2.2). Confirmed: the facility's status, the maintenance notice, the guide and the repair
    clocks are set in one transaction; resolved: all of them undone and the downtime recorded."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="faults", verbose_name=_("设施")
    )
    source = models.CharField(_("来源"), max_length=16, choices=FaultSource.choices)
    status = models.CharField(_("状态"), max_length=16, choices=FaultStatus.choices)
    description = EncryptedTextField(_("故障描述"))
    reports = models.PositiveIntegerField(_("报修次数"), default=1)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("报修时间"), default=timezone.now)
    occurrence = models.ForeignKey(
        Occurrence, null=True, blank=True, on_delete=models.SET_NULL, related_name="faults"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repair_started_at = models.DateTimeField(_("开始维修"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("修复时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = EncryptedTextField(_("处理结果"), blank=True)
    dismissed_at = models.DateTimeField(_("排除时间"), null=True, blank=True)
    announcement = models.ForeignKey(
        "floor.Announcement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    guide = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide_tasks",
        verbose_name=_("引导人员"),
    )
    guide_released_at = models.DateTimeField(_("引导解除时间"), null=True, blank=True)
    downtime_seconds = models.PositiveIntegerField(_("停用时长（秒）"), null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备故障")
        verbose_name_plural = _("设备故障")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            # One active fault per facility: a second report of a known fault adds to it, never a second notice.
            models.UniqueConstraint(
                fields=["facility"],
                condition=Q(status__in=["suspected", "open", "under_repair"]),
                name="fault_one_active_per_facility",
            )
        ]
        indexes = [models.Index(fields=["hall", "status"], name="fault_hall_status")]

    def __str__(self) -> str:
        return f"{self.facility} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("facilities:fault", args=[self.pk])

    @property
    def sla_label(self) -> str:
        return f"{self.facility.label} ({self.facility.asset_code})"

    @property
    def guide_active(self) -> bool:
        return self.guide_id is not None and self.guide_released_at is None


class RoundKind(models.TextChoices):
    PRE_OPENING = "pre_opening", _("开门前清洁")
    PATROL = "patrol", _("营业中巡查")
    CLOSING = "closing", _("闭店后深度清洁")


class RoundStatus(models.TextChoices):
    DUE = "due", _("待完成")
    DONE = "done", _("已完成")
    MISSED = "missed", _("未完成")


ROUND_CHECKLISTS = {
    RoundKind.PRE_OPENING: [_("清扫地面"), _("擦拭设备"), _("清理垃圾")],
    RoundKind.PATROL: [_("清理杂物"), _("整理座椅")],
    RoundKind.CLOSING: [_("柜台消毒"), _("清洁自助设备屏幕")],
}


class CleaningRound(models.Model):
    """One of the day's cleanings (ENV-4) with its window: done on time, late, or missed — never silently absent."""

    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", verbose_name=_("营业厅")
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=RoundKind.choices)
    seq = models.PositiveSmallIntegerField(_("序号"), default=1)
    window_start = models.DateTimeField(_("开始"))
    window_end = models.DateTimeField(_("截止"))
    status = models.CharField(_("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.DUE)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(_("备注"), blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("清洁记录")
        verbose_name_plural = _("清洁记录")
        ordering = ["day", "window_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "kind", "seq"], name="cleaning_round_unique")
        ]
        indexes = [models.Index(fields=["status", "window_end"], name="cleaning_round_sweep")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.day} {self.kind}#{self.seq}"

    @property
    def on_time(self) -> bool | None:
        if self.done_at is None:
            return None
        return self.done_at <= self.window_end

    def checklist(self) -> list:
        return ROUND_CHECKLISTS[self.kind]


class CleaningSheet(models.Model):
    """The day's sheet, countersigned by the duty supervisor (ENV-4)."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签字时间"), default=timezone.now)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="cleaning_sheet_unique")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.day}"
