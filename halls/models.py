"""Organisation (GEN-2, ENV-1, CMP-1): regions, halls, zones, counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HallScopedQuerySet(models.QuerySet):
    """Base for every queryset a user reaches: ``Model.objects.for_user(user)``.

    ``hall_lookup`` names the path from the model to its hall ("hall", "ticket__hall", "" for Hall itself).
    """

    hall_lookup = "hall"

    def for_user(self, user, capability: str | None = None):
        """Rows of the halls ``user`` may see; with ``capability``, only of the halls where they hold it."""
        from staff.access import hall_ids_for_user, hall_ids_with

        ids = hall_ids_for_user(user) if capability is None else hall_ids_with(user, capability)
        if ids is None:  # HQ: every hall
            return self
        field = f"{self.hall_lookup}__in" if self.hall_lookup else "pk__in"
        return self.filter(**{field: ids})


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("地市")
    DISTRICT = "district", _("区县")


class RegionQuerySet(models.QuerySet):
    def for_user(self, user):
        from staff.access import region_ids_for_user

        ids = region_ids_for_user(user)
        return self if ids is None else self.filter(pk__in=ids)


class Region(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("级别"), max_length=16, choices=RegionKind.choices, default=RegionKind.CITY)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级区域"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """This region and every region below it (regions nest province / city / district)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


class HallQuerySet(HallScopedQuerySet):
    hall_lookup = ""


def default_opening_hours() -> dict:
    week = {str(d): [["09:00", "18:00"]] for d in range(0, 5)}
    week.update({"5": [["09:30", "17:00"]], "6": [["09:30", "17:00"]]})
    return week


class Hall(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="halls", verbose_name=_("区域"))
    code = models.CharField(_("厅编码"), max_length=32, unique=True)
    name = models.CharField(_("厅名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    # weekday (0 = Monday) -> list of [open, close] "HH:MM" intervals; a missing day is closed.
    opening_hours = models.JSONField(_("营业时间"), default=default_opening_hours)
    complaint_phone = models.CharField(_("投诉电话"), max_length=32, blank=True)
    complaint_wecom = models.CharField(_("企业微信投诉入口"), max_length=255, blank=True)
    complaint_window = models.CharField(_("现场投诉窗口"), max_length=100, blank=True)
    missed_number_rule = models.CharField(
        _("过号规则"),
        max_length=255,
        blank=True,
        default="过号请到引导台重新激活，30分钟内有效",
    )
    is_active = models.BooleanField(_("营业中"), default=True)
    # The kiosk outside opening hours (issue 10 §2): by default it says when the hall opens and issues nothing;
    # a hall that lets customers queue before the doors open (same day) turns this on.
    queue_before_opening = models.BooleanField(_("开厅前可取号"), default=False)
    # After a ticket (or a customer walking away) the kiosk returns to its idle screen after this many seconds.
    kiosk_idle_seconds = models.PositiveSmallIntegerField(_("取号机自动复位（秒）"), default=30)

    objects = HallQuerySet.as_manager()

    class Meta:
        verbose_name = _("营业厅")
        verbose_name_plural = _("营业厅")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def hours_for_weekday(self, weekday: int) -> list[list[str]]:
        return list(self.opening_hours.get(str(weekday), []))


class ZoneKind(models.TextChoices):
    GUIDANCE = "guidance", _("咨询引导区")
    SERVICE = "service", _("业务办理区")
    SELF_SERVICE = "self_service", _("自助服务区")
    WAITING = "waiting", _("客户等候区")


class Zone(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="zones", verbose_name=_("营业厅"))
    kind = models.CharField(_("类型"), max_length=16, choices=ZoneKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    seats = models.PositiveIntegerField(_("座椅数"), default=0)
    charging_points = models.PositiveIntegerField(_("充电接口数"), default=0)
    reading_material = models.BooleanField(_("提供阅读材料"), default=False)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("功能区")
        verbose_name_plural = _("功能区")
        ordering = ["hall", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.hall} · {self.name}"


class CounterStatus(models.TextChoices):
    OPEN = "open", _("开放")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("关闭")


class CallingProfile(models.TextChoices):
    """BIZ-4 work profiles of a counter: waiting priority customers (elderly, disabled, pregnant) first — the default —
    or interleaved, one priority customer after every ``priority_ratio_normal`` normal ones."""

    PRIORITY_FIRST = "priority_first", _("优先客户先叫")
    RATIO = "ratio", _("按比例穿插")


class Counter(models.Model):
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="counters", verbose_name=_("营业厅")
    )
    zone = models.ForeignKey(
        Zone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="counters",
        verbose_name=_("功能区"),
    )
    number = models.PositiveSmallIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    # 一窗通办: a counter enabled for every business the hall offers.
    serves_all = models.BooleanField(_("一窗通办"), default=False)
    business_types = models.ManyToManyField(
        "catalog.BusinessType", blank=True, related_name="counters", verbose_name=_("可办理业务")
    )
    is_accessible = models.BooleanField(_("低位/无障碍窗口"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=CounterStatus.choices, default=CounterStatus.CLOSED
    )
    pause_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    calling_profile = models.CharField(
        _("叫号方式"), max_length=16, choices=CallingProfile.choices, default=CallingProfile.PRIORITY_FIRST
    )
    # The "ratio" profile (Qmatic-style): how many normal tickets may be called between two priority ones.
    priority_ratio_normal = models.PositiveSmallIntegerField(
        _("优先叫号比例（每叫1位优先客户可叫普通客户数）"), default=2
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="counter_number_unique_per_hall")
        ]

    def __str__(self) -> str:
        return _("%(number)s号窗口") % {"number": self.number}

    @property
    def priority_first(self) -> bool:
        return self.calling_profile == CallingProfile.PRIORITY_FIRST

    def profile_label(self) -> str:
        if self.priority_first:
            return str(self.get_calling_profile_display())
        return _("优先：普通 = 1:%(n)s") % {"n": self.priority_ratio_normal}

    def serves(self, business_type) -> bool:
        if self.serves_all:
            return True
        return self.business_types.filter(pk=business_type.pk).exists()


# --- The official holiday arrangement (法定节假日 and 调休上班) and each hall's own holiday hours ---------------


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班")


class OfficialYear(models.Model):
    """One year's official arrangement as published by the State Council, entered or corrected by HQ. A year with
    a row is known: its listed days are holidays / make-up working days, every other day is ordinary. Seeded from
    the ``chinese_calendar`` library for the years it knows (migration ``halls.0002``); later years are entered by
    HQ each December (the library lags behind the announcement)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=16, default="hq")  # "library" (seeded) or "hq"
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class OfficialDay(models.Model):
    year = models.ForeignKey(
        OfficialYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("年份")
    )
    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"


class HallDayHoursQuerySet(HallScopedQuerySet):
    pass


class HallDayHours(models.Model):
    """A hall's own hours on one date (a holiday opening, a shortened day, a closure): replaces its weekly hours
    and the official arrangement for that date in the business-hour calendar. ``hours`` empty = closed."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="day_hours", verbose_name=_("营业厅")
    )
    day = models.DateField(_("日期"))
    hours = models.JSONField(_("营业时间"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    objects = HallDayHoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("营业厅特殊营业时间")
        verbose_name_plural = _("营业厅特殊营业时间")
        ordering = ["hall", "day"]
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="hall_day_hours_unique")]

    def __str__(self) -> str:
        return f"{self.hall} {self.day}"
