"""SLA clock services (CMP-2.1, BIZ-2.1): start, meet, cancel, pause/resume, restart, and the sweep.

Deadlines are snapshots taken from the standard in force when the clock starts; the event log is the truth.
See docs/sla.md for the design (calendars, pause policy, escalation ladder, quiet hours, exactly-once).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.errors import Conflict, NotFound, ServiceError
from sla import escalation
from sla.calendars import NoOpeningHours, calendar_for
from sla.models import OPEN_STATUSES, Clock, ClockEvent, ClockStatus, EventKind, Target
from sla.policy import (
    DEFAULT_ESCALATION_STEP_SHARE,
    DEFAULT_WARN_SHARE,
    LADDER_LEVELS,
    MAX_ESCALATION_STEP_SECONDS,
    MIN_ESCALATION_STEP_SECONDS,
    POLICIES,
)
from sla.selectors import clocks_for
from standard.services import Standard, standard_in_force

__all__ = [
    "clock_start",
    "clock_meet",
    "clock_cancel",
    "clock_pause",
    "clock_resume",
    "clock_restart",
    "clocks_for",
    "sla_sweep",
]


def _target(value) -> Target:
    try:
        return Target(value)
    except ValueError:
        raise ServiceError("sla_unknown_target", _("未知的时限目标"), field="target") from None


def _subject_ct(subject) -> ContentType:
    if subject is None or subject.pk is None:
        raise ServiceError("sla_subject_unsaved", _("计时对象尚未保存"), field="subject")
    return ContentType.objects.get_for_model(subject, for_concrete_model=False)


def _open_clock(subject, target, *, lock: bool = True) -> Clock | None:
    qs = Clock.objects.filter(
        content_type=_subject_ct(subject), object_id=subject.pk, target=target, status__in=OPEN_STATUSES
    )
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def _calendar(clock: Clock):
    if clock.calendar != "business":
        return calendar_for(clock.calendar)
    from halls.holidays import business_calendar_for

    # The official arrangement HQ maintains (not only the library, which lags a year behind) and the hall's own
    # holiday hours and closures.
    return business_calendar_for(clock.hall)


def _schedule(clock: Clock) -> None:
    """Recompute deadline / warn_at from started_at + paused time, and when the sweep should next look."""
    cal = _calendar(clock)
    clock.deadline = cal.add(clock.started_at, clock.target_seconds + clock.paused_seconds)
    clock.warn_at = cal.add(clock.started_at, clock.target_seconds * clock.warn_share + clock.paused_seconds)
    clock.next_check_at = _next_check(clock)


def _next_check(clock: Clock) -> datetime | None:
    if clock.status == ClockStatus.RUNNING:
        if clock.warned_at is None and clock.warn_at < clock.deadline:
            return clock.warn_at
        return clock.deadline
    if clock.status == ClockStatus.BREACHED and clock.escalation_level < LADDER_LEVELS:
        return clock.deadline + timedelta(seconds=clock.escalation_step_seconds * clock.escalation_level)
    return None


def _event(clock: Clock, kind: str, *, at: datetime, actor=None, reason: str = "", level: int = 0, data=None):
    return ClockEvent.objects.create(
        clock=clock,
        hall_id=clock.hall_id,
        kind=kind,
        level=level,
        at=at,
        actor=actor,
        reason=reason,
        data=data or {},
    )


def _create_clock(
    *,
    ct,
    object_id,
    target: Target,
    hall,
    started_at: datetime,
    cycle: int,
    repeat: bool = False,
    version=None,
) -> Clock:
    # A clock lives by the version in force when it started; the next cycle of a periodic target passes its
    # predecessor's ``version`` so a version published meanwhile never changes the subject's promise (SUP-3).
    standard = (
        Standard(version, version.values()) if version is not None else standard_in_force(at=started_at)
    )
    policy = POLICIES[target]
    hours = standard.get(policy.hours_param)
    if repeat and policy.repeat_param:  # the next period of a periodic target, not a restart
        hours = standard.get(policy.repeat_param, hours)
    if hours is None:
        raise ServiceError("sla_no_parameter", _("现行服务规范未规定该时限"), field="target")
    kind = standard.get(f"sla.calendar.{target.value}") or standard.get("sla.calendar") or "clock"
    target_seconds = int(float(hours) * 3600)
    step = target_seconds * float(standard.get("sla.escalation_step_share", DEFAULT_ESCALATION_STEP_SHARE))
    clock = Clock(
        hall=hall,
        content_type=ct,
        object_id=object_id,
        target=target,
        cycle=cycle,
        calendar=kind,
        standard_version=standard.version,
        target_seconds=target_seconds,
        warn_share=float(standard.get("sla.warn_share", DEFAULT_WARN_SHARE)),
        escalation_step_seconds=int(min(max(step, MIN_ESCALATION_STEP_SECONDS), MAX_ESCALATION_STEP_SECONDS)),
        started_at=started_at,
    )
    try:
        _schedule(clock)
    except NoOpeningHours:
        raise ServiceError("sla_no_opening_hours", _("营业厅未设置营业时间，无法按营业时间计时")) from None
    clock.save()
    return clock


@transaction.atomic
def clock_start(*, subject, target, hall, started_at: datetime | None = None, actor=None) -> Clock:
    """Start the clock of ``target`` for ``subject``. Idempotent: an open clock of that target is returned as is."""
    target = _target(target)
    ct = _subject_ct(subject)
    existing = _open_clock(subject, target)
    if existing is not None:
        return existing
    started_at = started_at or timezone.now()
    last = (
        Clock.objects.filter(content_type=ct, object_id=subject.pk, target=target).order_by("-cycle").first()
    )
    try:
        with transaction.atomic():
            clock = _create_clock(
                ct=ct,
                object_id=subject.pk,
                target=target,
                hall=hall,
                started_at=started_at,
                cycle=(last.cycle + 1) if last else 1,
            )
    except IntegrityError:
        # Another request started the same clock at the same moment: use theirs.
        existing = _open_clock(subject, target, lock=False)
        if existing is None:
            raise Conflict("sla_conflict", _("计时已被并发修改，请重试")) from None
        return existing
    _event(clock, EventKind.STARTED, at=started_at, actor=actor, data=_snapshot(clock))
    return clock


def _snapshot(clock: Clock) -> dict:
    return {
        "deadline": clock.deadline.isoformat(),
        "warn_at": clock.warn_at.isoformat(),
        "calendar": clock.calendar,
        "standard_version": clock.standard_version.number,
        "target_seconds": clock.target_seconds,
        "cycle": clock.cycle,
    }


@transaction.atomic
def clock_meet(
    *, subject, target, at: datetime | None = None, actor=None, repeat: bool | None = None
) -> Clock | None:
    """Mark the open clock met (late if past its deadline). Returns None when no clock is open (already met,
    cancelled or never started): meeting twice is harmless. A periodic target (complex complaint progress) starts
    its next cycle from ``at`` unless ``repeat=False``; cancel it when the complaint is solved."""
    target = _target(target)
    clock = _open_clock(subject, target)
    if clock is None:
        return None
    at = at or timezone.now()
    _close_pause(clock, at)
    late = at > clock.deadline
    if late and clock.breached_at is None:
        clock.breached_at = clock.deadline  # breached before the sweep noticed
    clock.status, clock.met_at, clock.next_check_at = ClockStatus.MET, at, None
    clock.save()
    _event(
        clock, EventKind.MET, at=at, actor=actor, data={"late": late, "deadline": clock.deadline.isoformat()}
    )
    policy = POLICIES[target]
    if policy.repeat_param and repeat is not False:
        nxt = _create_clock(
            ct=clock.content_type,
            object_id=clock.object_id,
            target=target,
            hall=clock.hall,
            started_at=at,
            cycle=clock.cycle + 1,
            repeat=True,
            version=clock.standard_version,
        )
        _event(nxt, EventKind.STARTED, at=at, actor=actor, data=_snapshot(nxt) | {"previous": clock.pk})
    return clock


@transaction.atomic
def clock_cancel(
    *, subject, target, actor=None, reason: str = "", at: datetime | None = None
) -> Clock | None:
    """Stop an open clock without meeting it (the subject no longer needs it). Returns None if none was open."""
    target = _target(target)
    clock = _open_clock(subject, target)
    if clock is None:
        return None
    at = at or timezone.now()
    _close_pause(clock, at)
    clock.status, clock.cancelled_at, clock.next_check_at = ClockStatus.CANCELLED, at, None
    clock.save()
    _event(clock, EventKind.CANCELLED, at=at, actor=actor, reason=reason[:255])
    return clock


def _close_pause(clock: Clock, at: datetime) -> float:
    if clock.status != ClockStatus.PAUSED or clock.paused_at is None:
        return 0.0
    added = _calendar(clock).between(clock.paused_at, at)
    clock.paused_seconds += int(added)
    clock.paused_at = None
    _schedule(clock)  # the deadline moves out by the paused time even when the clock ends paused
    return added


def _locked(clock: Clock) -> Clock:
    fresh = Clock.objects.select_for_update().select_related("hall").filter(pk=clock.pk).first()
    if fresh is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return fresh


@transaction.atomic
def clock_pause(*, clock: Clock, actor, reason: str, at: datetime | None = None) -> Clock:
    """Pause a running clock where its target allows it (waiting on the customer). Promises made to the customer
    never pause: the complaint clocks and the callback promise raise ``not_pausable``."""
    if not POLICIES[_target(clock.target)].pausable:
        raise ServiceError("not_pausable", _("该时限是对客户的承诺，不允许暂停"))
    if not (reason or "").strip():
        raise ServiceError("reason_required", _("请填写暂停原因"), field="reason")
    clock = _locked(clock)
    if clock.status != ClockStatus.RUNNING:
        raise Conflict("not_running", _("只有计时中且未超时的时限可以暂停"))
    at = at or timezone.now()
    if at >= clock.deadline:
        raise Conflict("not_running", _("只有计时中且未超时的时限可以暂停"))
    updated = Clock.objects.filter(pk=clock.pk, status=ClockStatus.RUNNING).update(
        status=ClockStatus.PAUSED, paused_at=at, next_check_at=None
    )
    if updated != 1:
        raise Conflict("sla_conflict", _("计时已被并发修改，请重试"))
    clock.refresh_from_db()
    _event(clock, EventKind.PAUSED, at=at, actor=actor, reason=reason.strip()[:255])
    return clock


@transaction.atomic
def clock_resume(*, clock: Clock, actor, at: datetime | None = None) -> Clock:
    """Resume a paused clock: the paused time (in the clock's calendar) moves the deadline and warn time out."""
    clock = _locked(clock)
    if clock.status != ClockStatus.PAUSED:
        raise Conflict("not_paused", _("该时限未处于暂停状态"))
    at = at or timezone.now()
    added = _close_pause(clock, at)
    clock.status = ClockStatus.RUNNING
    _schedule(clock)
    updated = Clock.objects.filter(pk=clock.pk, status=ClockStatus.PAUSED).update(
        status=clock.status,
        paused_at=None,
        paused_seconds=clock.paused_seconds,
        deadline=clock.deadline,
        warn_at=clock.warn_at,
        next_check_at=clock.next_check_at,
    )
    if updated != 1:
        raise Conflict("sla_conflict", _("计时已被并发修改，请重试"))
    _event(
        clock,
        EventKind.RESUMED,
        at=at,
        actor=actor,
        data={"paused_seconds_added": int(added), "deadline": clock.deadline.isoformat()},
    )
    return clock


@transaction.atomic
def clock_restart(
    *,
    subject,
    target,
    actor,
    reason: str,
    started_at: datetime | None = None,
    hall=None,
    runs_from: datetime | None = None,
) -> Clock:
    """Cancel the open clock of ``target`` (if any) at ``started_at`` (default now) and start a fresh one, e.g.
    when a complaint is reclassified. Both steps are logged with the reason. ``runs_from`` (default: the restart
    time) is when the new limit is counted from: a reclassified complaint keeps counting from its acceptance."""
    target = _target(target)
    at = started_at or timezone.now()
    old = clock_cancel(subject=subject, target=target, actor=actor, reason=reason, at=at)
    if hall is None:
        hall = old.hall if old is not None else getattr(subject, "hall", None)
        if hall is None:
            raise ServiceError("sla_hall_required", _("重新计时需要指定营业厅"), field="hall")
    clock = clock_start(subject=subject, target=target, hall=hall, started_at=runs_from or at, actor=actor)
    _event(
        clock, EventKind.RESTARTED, at=at, actor=actor, reason=reason[:255], data={"previous": old and old.pk}
    )
    return clock


# --- the sweep ---------------------------------------------------------------------------------------------


_COUNTS = {EventKind.WARNED: "warned", EventKind.BREACHED: "breached", EventKind.ESCALATED: "escalated"}


def sla_sweep(*, now: datetime | None = None, limit: int = 1000) -> dict:
    """One pass (run by ``manage.py worker`` at least every minute): warn, breach and escalate the due clocks.

    Finding the due clocks uses the partial index ``sla_clock_due`` on ``next_check_at``, so its cost follows the
    number of due clocks, not of open ones. The pass locks its due clocks in one statement (``SKIP LOCKED`` on
    PostgreSQL, so a second sweep moves on to other clocks; SQLite's IMMEDIATE transactions serialise them) and
    re-reads ``next_check_at`` under the lock; then one INSERT of events, one of notices and one UPDATE of the
    clocks, whatever their number (issue 14). Each warning/breach/escalation event is unique per (clock, kind,
    level), so its notice goes out exactly once."""
    now = now or timezone.now()
    result = {"checked": 0, "warned": 0, "breached": 0, "escalated": 0, "skipped": 0}
    due = list(
        Clock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return result
    result["checked"] = len(due)
    with transaction.atomic():
        qs = (
            Clock.objects.filter(pk__in=due, next_check_at__lte=now)
            .select_related("hall", "content_type")
            .order_by("next_check_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        clocks = list(qs)
        result["skipped"] = len(due) - len(clocks)
        # Recipients and subjects' labels once per pass (per hall / per kind of subject), not once per clock.
        with escalation.sweep_pass(clocks):
            planned = [step for clock in clocks for step in _advance(clock, now)]
            for event in escalation.record_all(planned):
                result[_COUNTS[event.kind]] += 1
        _write_back(clocks)
    return result


_SWEPT = ("status", "warned_at", "breached_at", "escalation_level", "next_check_at")
_PG_TYPES = {"status": "text", "escalation_level": "integer"}  # the others are timestamps


def _write_back(clocks: list[Clock]) -> None:
    """One ``UPDATE … FROM (VALUES …)`` for the pass's clocks (``bulk_update``'s CASE per field and row cost a
    second of Python for 300 clocks). The rows are locked; the status condition is the same backstop as every
    other conditional UPDATE."""
    fields = [Clock._meta.get_field(name) for name in _SWEPT]
    qn = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    cell = "%s::bigint" if pg else "%s"
    cells = [cell] + [f"%s::{_PG_TYPES.get(f.name, 'timestamptz')}" if pg else "%s" for f in fields]
    row = f"({', '.join(cells)})"
    table = qn(Clock._meta.db_table)
    sets = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(fields, start=2))
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    chunk = 150  # 6 parameters a row: under SQLite's 999 variables as Django assumes them
    with connection.cursor() as cursor:
        for start in range(0, len(clocks), chunk):
            part = clocks[start : start + chunk]
            params: list = []
            for clock in part:
                params.append(clock.pk)
                params.extend(f.get_db_prep_save(getattr(clock, f.attname), connection) for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row] * len(part))}) AS v "
                f"WHERE {table}.{qn('id')} = v.column1 AND {table}.{qn('status')} IN ({open_statuses})",
                [*params, *OPEN_STATUSES],
            )


def _advance(clock: Clock, now: datetime) -> list:
    """Move one locked clock through what is due by ``now`` and plan its events. A late sweep (worker down)
    catches up step by step, so every rung is still recorded once."""
    planned = []
    while clock.next_check_at is not None and clock.next_check_at <= now:
        if clock.status == ClockStatus.RUNNING and clock.deadline > now:
            clock.warned_at = now
            planned.append(escalation.plan(clock, EventKind.WARNED, 0, now))
        elif clock.status == ClockStatus.RUNNING:
            clock.status, clock.breached_at = ClockStatus.BREACHED, clock.deadline
            planned.append(escalation.plan(clock, EventKind.BREACHED, 0, now))
            clock.escalation_level = 1
            planned.append(escalation.plan(clock, EventKind.ESCALATED, 1, now))
        elif clock.status == ClockStatus.BREACHED:
            clock.escalation_level += 1
            planned.append(escalation.plan(clock, EventKind.ESCALATED, clock.escalation_level, now))
        else:  # pragma: no cover - next_check_at is NULL for other statuses
            break
        clock.next_check_at = _next_check(clock)
    return planned
