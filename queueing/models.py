"""Queue records (ENV-2.2, BIZ-1, BIZ-2.2, BIZ-4): tickets, their event log, daily numbering, appointments.

A ticket is one customer's visit: issued at the kiosk (or by a greeter, the APP, an appointment check-in), called to a
counter, handled, finished. Its timestamps are the record the daily summary and the BIZ-2.2 "within limit" judgement
are computed from. Writes happen only in ``queueing.services``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Lookup, Q
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from lib import rows
from privacy.fields import EncryptedTextField


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    SUSPENDED = "suspended", _("挂起")
    NO_SHOW = "no_show", _("过号")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("已关闭")


ACTIVE_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)


class PriorityKind(models.TextChoices):
    NONE = "", _("无")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残障人士")
    PREGNANT = "pregnant", _("孕妇")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("取号机")
    GREETER = "greeter", _("引导员")
    APP = "app", _("手机APP")
    WECOM = "wecom", _("企业微信")
    APPOINTMENT = "appointment", _("预约签到")
    SIMULATION = "simulation", _("模拟")


class Outcome(models.TextChoices):
    DONE = "done", _("办结")
    MATERIALS_MISSING = "materials_missing", _("材料不全")
    CONTINUED_ONLINE = "continued_online", _("转线上继续办理")
    FAILED = "failed", _("未能办理")


class ClockMode(models.TextChoices):
    """Where the BIZ-2.2 clock starts: basic business at "start", complex at "customer confirmed needs"."""

    NONE = "", _("不计时")
    FROM_START = "start", _("自开始办理")
    FROM_CONFIRM = "confirm", _("自客户确认需求")


def new_public_token() -> str:
    return secrets.token_urlsafe(18)


class InLiterals(Lookup):
    """``column IN ('called', 'serving')`` with the values written into the statement, not bound.

    SQLite uses a partial index only when the query's WHERE implies the index's own, term for term; a bound
    ``IN (?, ?)`` never does. Without it, "this counter's active ticket" (``ticket_one_active_per_counter``, the
    only index on ``counter_id``) made SQLite build an automatic index over the whole ticket table on every
    call-next (issue 14, docs/performance.md). Status values only (checked): nothing here comes from a request."""

    lookup_name = "in_literals"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({rows.literal_list(self.rhs)})", params


class TicketQuerySet(HallScopedQuerySet):
    def waiting(self):
        return self.filter(status=TicketStatus.WAITING)

    def active(self):
        """Called or serving — written as ``ticket_one_active_per_counter``'s condition, so that SQLite can use
        that index for one counter's active ticket."""
        return self.filter(InLiterals(F("status"), ACTIVE_STATUSES))


@dataclass(frozen=True)
class Clock:
    """The BIZ-2.2 handling clock of one ticket at one instant."""

    state: str  # "none" | "ok" | "amber" | "red"
    seconds_left: int | None
    limit_minutes: int | None
    elapsed_seconds: int | None

    @property
    def running(self) -> bool:
        return self.state != "none"


class Ticket(models.Model):
    # Few indexes on purpose (docs/queueing.md, "Indexes"): every status change is a non-HOT update that writes an
    # entry into each full index. Every query names the hall (the composite indexes lead with it) or an active
    # counter (the partial unique index), so the single-column FK indexes only cost.
    hall = models.ForeignKey(
        "halls.Hall",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("营业厅"),
        db_index=False,
    )
    business_type = models.ForeignKey(
        "catalog.BusinessType",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("业务"),
        db_index=False,
    )
    service_date = models.DateField(_("营业日"))
    prefix = models.CharField(_("字母"), max_length=2)
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    status = models.CharField(
        _("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=TicketSource.choices, default=TicketSource.KIOSK
    )
    priority_kind = models.CharField(
        _("优先类别"), max_length=16, choices=PriorityKind.choices, blank=True, default=""
    )
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    needs_accompaniment = models.BooleanField(_("需全程陪同"), default=False)
    needs_form_help = models.BooleanField(_("需协助填单"), default=False)
    # BIZ-4 / issue 10 §6: a wheelchair user is called to a low (accessible) counter while one is open.
    needs_low_counter = models.BooleanField(_("需低位窗口（轮椅）"), default=False)
    appointment = models.OneToOneField(
        "queueing.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket"
    )
    # Appointment precedence applies while "now" is inside this window (copied from the slot so the call-next
    # ordering is one query).
    appt_window_start = models.DateTimeField(null=True, blank=True)
    appt_window_end = models.DateTimeField(null=True, blank=True)
    customer = models.ForeignKey(  # indexed where set (ticket_customer_idx): most tickets have none
        "privacy.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    counter = models.ForeignKey(
        "halls.Counter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("窗口"),
        db_index=False,
    )
    # Set by a transfer to one counter: only that counter may call the ticket.
    target_counter = models.ForeignKey(
        "halls.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_tickets",
        db_index=False,
    )
    issued_at = models.DateTimeField(_("取号时间"))
    arrival_at = models.DateTimeField(_("到达时间"))  # kept on transfer and reactivation: the queue position
    first_called_at = models.DateTimeField(_("首次叫号"), null=True, blank=True)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("客户确认需求"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("过号时间"), null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_seconds = models.PositiveIntegerField(default=0)  # the clock does not run while suspended
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    recall_count = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    # Unique by a constraint, not unique=True: the same index without PostgreSQL's extra LIKE-pattern index.
    public_token = models.CharField(max_length=32, default=new_public_token, editable=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    estimated_wait_minutes = models.PositiveIntegerField(_("预计等候（分钟）"), null=True, blank=True)
    # BIZ-2.2 handling clock, fixed when handling starts from the standard in force then.
    clock_mode = models.CharField(max_length=8, choices=ClockMode.choices, blank=True, default="")
    limit_minutes = models.PositiveSmallIntegerField(_("办理时限（分钟）"), null=True, blank=True)
    warn_share = models.FloatField(null=True, blank=True)
    standard_version = models.PositiveIntegerField(null=True, blank=True)
    within_limit = models.BooleanField(_("在时限内"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=20, choices=Outcome.choices, blank=True)
    notes = EncryptedTextField(_("备注"), blank=True, default="")  # free text may hold PI
    handled_business_types = models.ManyToManyField(
        "catalog.BusinessType", blank=True, related_name="+", verbose_name=_("办理业务")
    )
    missing_materials = models.ManyToManyField(
        "catalog.RequiredMaterial", blank=True, related_name="+", verbose_name=_("缺少材料")
    )
    supplement_sms_text = models.TextField(
        _("补充材料短信"), blank=True
    )  # no PI: item names and how to obtain

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["service_date", "arrival_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "service_date", "number"], name="ticket_number_unique_per_day"
            ),
            models.UniqueConstraint(fields=["public_token"], name="ticket_public_token_unique"),
            models.UniqueConstraint(
                fields=["hall", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ticket_idempotency_unique",
            ),
            # A counter has at most one active (called/serving) ticket: the backstop behind call-next's check.
            models.UniqueConstraint(
                fields=["counter"],
                condition=Q(status__in=["called", "serving"]),
                name="ticket_one_active_per_counter",
            ),
        ]
        indexes = [
            # call-next and the waiting snapshot scan the waiting tickets of one hall and day.
            models.Index(
                fields=["hall", "service_date", "arrival_at"],
                condition=Q(status="waiting"),
                name="ticket_waiting_idx",
            ),
            models.Index(fields=["hall", "service_date", "status"], name="ticket_hall_day_status"),
            models.Index(
                fields=["customer"], condition=Q(customer__isnull=False), name="ticket_customer_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_priority(self) -> bool:
        return bool(self.priority_kind)

    @property
    def clock_started_at(self) -> datetime | None:
        """Mirrored in queueing/hotpath/sql.py: FINISH_SQL (the clock's start by mode)."""
        if self.clock_mode == ClockMode.FROM_START:
            return self.started_at
        if self.clock_mode == ClockMode.FROM_CONFIRM:
            return self.confirmed_at
        return None

    def clock(self, now: datetime | None = None) -> Clock:
        """BIZ-2.2: ok until ``warn_share`` of the limit, amber until the limit, red beyond it.

        Basic business runs from ``handling_start``; complex business from ``handling_confirm_needs``. Time spent
        suspended (the customer fetching a document) does not count.

        Mirrored in queueing/hotpath/sql.py: FINISH_SQL (``within_limit``).
        """
        from queueing import clock as qclock

        start = self.clock_started_at
        if not self.limit_minutes or start is None:
            return Clock("none", None, self.limit_minutes, None)
        end = self.finished_at or now or qclock.now()
        paused = self.suspended_seconds
        if self.suspended_at and not self.finished_at:
            paused += max(0, int((end - self.suspended_at).total_seconds()))
        elapsed = max(0, int((end - start).total_seconds()) - paused)
        limit = self.limit_minutes * 60
        left = limit - elapsed
        if left < 0:
            state = "red"
        elif elapsed >= limit * (self.warn_share or 0.8):
            state = "amber"
        else:
            state = "ok"
        return Clock(state, left, self.limit_minutes, elapsed)

    @property
    def wait_seconds(self) -> int | None:
        if self.first_called_at is None:
            return None
        return int((self.first_called_at - self.arrival_at).total_seconds())

    @property
    def handling_seconds(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds()) - self.suspended_seconds

    @property
    def walk_seconds(self) -> int | None:
        if self.called_at is None or self.started_at is None:
            return None
        return int((self.started_at - self.called_at).total_seconds())


class TicketEventKind(models.TextChoices):
    ISSUED = "issued", _("取号")
    CALLED = "called", _("叫号")
    RECALLED = "recalled", _("重呼")
    STARTED = "started", _("开始办理")
    CONFIRMED = "confirmed", _("客户确认需求")
    FINISHED = "finished", _("办结")
    NO_SHOW = "no_show", _("过号")
    REACTIVATED = "reactivated", _("重新激活")
    TRANSFERRED = "transferred", _("转移")
    SUSPENDED = "suspended", _("挂起")
    RESUMED = "resumed", _("回呼")
    FLAGGED = "flagged", _("标记")
    CLOSED = "closed", _("日终关闭")


class TicketEvent(models.Model):
    """The per-ticket log: who did what, when, at which counter."""

    # One event is written per queue operation, so the log is lean: indexed by ticket (its timeline) and by hall and
    # time (ticketevent_hall_at) only, and only the ticket is a database-level foreign key. The hall, actor and
    # counter are kept by Django (on_delete still applies): a database check on each would share-lock that row in
    # every operation's transaction — the hall row by every counter and kiosk of the hall at once (measured: 7 % of
    # PostgreSQL's CPU per operation, docs/performance.md).
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.CharField(max_length=16, choices=TicketEventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        db_constraint=False,
    )
    counter = models.ForeignKey(
        "halls.Counter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    data = models.JSONField(default=dict, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["hall", "at"], name="ticketevent_hall_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%H:%M:%S}"


class DailySequence(models.Model):
    """The gapless number counter: one row per hall, day and prefix, incremented in the ticket's transaction."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    service_date = models.DateField()
    prefix = models.CharField(max_length=2)
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hall", "service_date", "prefix"], name="dailysequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.service_date} {self.prefix}={self.last_seq}"


class CounterState(models.Model):
    """Queue-side state of a counter: who is signed in at it and its position in the priority ratio cycle.

    The row is locked (``select_for_update``) by call-next so that calls from one counter are serialised.
    """

    counter = models.OneToOneField("halls.Counter", on_delete=models.CASCADE, related_name="queue_state")
    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Normal tickets called since the last priority ticket (Qmatic work profile). Starts "full" so that a
    # priority customer waiting when the counter opens is called first.
    normal_since_priority = models.PositiveIntegerField(default=1_000)
    changed_at = models.DateTimeField(null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"state of counter {self.counter_id}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    NO_SHOW = "no_show", _("爽约")
    CANCELLED = "cancelled", _("已取消")


class Appointment(models.Model):
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="appointments")
    business_type = models.ForeignKey("catalog.BusinessType", on_delete=models.PROTECT, related_name="+")
    slot_start = models.DateTimeField(_("时段开始"))
    slot_end = models.DateTimeField(_("时段结束"))
    code = models.CharField(_("预约码"), max_length=8, unique=True)
    mobile = EncryptedTextField(_("手机号"), blank=True, default="")
    mobile_index = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    customer = models.ForeignKey("privacy.Customer", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    source = models.CharField(max_length=16, choices=TicketSource.choices, default=TicketSource.APP)
    priority_kind = models.CharField(max_length=16, choices=PriorityKind.choices, blank=True, default="")
    created_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # A return appointment offered when materials were missing (BIZ-1.1).
    follow_up_of = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["slot_start", "pk"]
        indexes = [
            # appointment_sweep scans booked appointments by slot start.
            models.Index(fields=["slot_start"], condition=Q(status="booked"), name="appointment_booked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.slot_start:%m-%d %H:%M}"
