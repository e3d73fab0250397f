"""Who hears about a warning, a breach and each escalation rung, and when (quiet hours). See docs/sla.md.

Ladder: warning and rung 1 → the duty supervisor on duty (``DutyShift`` covering now; the hall managers if nobody
is on duty); rung 2 → the hall managers; rung 3 → the regional quality inspectors of the hall's region or any
region above it. Quiet hours: a notice to the supervisor on duty goes out at once (they are on duty by definition);
every other staff notice raised outside the hall's opening hours is deferred to the next opening time.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from notify.services import notification_enqueue_many
from sla.calendars import BusinessCalendar, NoOpeningHours
from sla.models import Clock, ClockEvent, EventKind
from sla.policy import ROLE_LABELS
from staff.models import DutyShift, HallAssignment, HallRole, RegionAssignment, RegionRole

# One sweep pass (``sweep_pass``): who is on duty, the managers and inspectors of a hall, and the subjects' labels
# are looked up once per hall / per kind of subject instead of once per due clock (issue 14).
_pass: ContextVar[dict | None] = ContextVar("sla_sweep_pass", default=None)


@contextmanager
def sweep_pass(clocks=()):
    """Memoise the recipients of this pass; ``clocks`` (due clocks) get their subjects' labels in one query per
    content type."""
    memo: dict = {"labels": _labels(clocks)}
    token = _pass.set(memo)
    try:
        yield memo
    finally:
        _pass.reset(token)


def _labels(clocks) -> dict:
    by_type: dict = {}
    for c in clocks:
        by_type.setdefault(c.content_type, set()).add(c.object_id)
    labels = {}
    for ct, ids in by_type.items():
        model = ct.model_class()
        if model is None:
            continue
        found = model._base_manager.in_bulk(list(ids))
        for (
            pk
        ) in ids:  # a subject deleted meanwhile still gets its type + id label, without a query per clock
            labels[(ct.pk, pk)] = _label_of(found.get(pk), ct, pk)
    return labels


def _memoised(key: tuple, load):
    memo = _pass.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def _label_of(subject, content_type, object_id) -> str:
    label = getattr(subject, "sla_label", None) if subject is not None else None
    if label:
        return str(label)
    return f"{content_type.name}#{object_id}"


def subject_label(clock: Clock) -> str:
    """A PI-free label: the subject's ``sla_label`` if it has one (e.g. a complaint number), else type + id."""
    memo = _pass.get()
    if memo is not None and (clock.content_type_id, clock.object_id) in memo["labels"]:
        return memo["labels"][(clock.content_type_id, clock.object_id)]
    subject = clock.subject
    label = getattr(subject, "sla_label", None) if subject is not None else None
    if label:
        return str(label)
    return f"{clock.content_type.name}#{clock.object_id}"


def duty_supervisors(hall, at: datetime) -> list:
    return [
        s.user
        for s in DutyShift.objects.filter(hall=hall, starts_at__lte=at, ends_at__gt=at)
        .select_related("user__staff_profile")
        .order_by("starts_at")
    ]


def hall_managers(hall) -> list:
    return [
        a.user
        for a in HallAssignment.objects.filter(hall=hall, role=HallRole.HALL_MANAGER, user__is_active=True)
        .select_related("user__staff_profile")
        .order_by("user_id")
    ]


def regional_inspectors(hall) -> list:
    region_ids, region = [], hall.region
    while region is not None:
        region_ids.append(region.pk)
        region = region.parent
    return [
        a.user
        for a in RegionAssignment.objects.filter(
            region_id__in=region_ids, role=RegionRole.QUALITY_INSPECTOR, user__is_active=True
        )
        .select_related("user__staff_profile")
        .order_by("user_id")
    ]


def recipients(clock: Clock, kind: str, level: int, at: datetime) -> tuple[list, bool, str]:
    """(users, on_duty, role label): ``on_duty`` notices ignore quiet hours."""
    hall = clock.hall
    if kind == EventKind.WARNED or (kind == EventKind.ESCALATED and level == 1):
        on_duty = _memoised(("duty", hall.pk, at), lambda: duty_supervisors(hall, at))
        if on_duty:
            return on_duty, True, ROLE_LABELS[1]
        return _memoised(("managers", hall.pk), lambda: hall_managers(hall)), False, ROLE_LABELS[2]
    if kind == EventKind.ESCALATED and level == 2:
        return _memoised(("managers", hall.pk), lambda: hall_managers(hall)), False, ROLE_LABELS[2]
    if kind == EventKind.ESCALATED and level >= 3:
        return _memoised(("inspectors", hall.pk), lambda: regional_inspectors(hall)), False, ROLE_LABELS[3]
    return [], False, ""


def not_before(clock: Clock, at: datetime, on_duty: bool) -> datetime:
    """Quiet hours: defer off-duty staff notices to the hall's next opening time (else due at ``at``)."""
    if on_duty:
        return at
    try:
        # Weekly hours only: halls open through public holidays, and a breach must not wait out a 7-day 国庆.
        return BusinessCalendar(clock.hall.opening_hours, day_kind_of=lambda day: "normal").next_open(at)
    except NoOpeningHours:
        return at


def _display_name(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.full_name if profile else user.get_username()


def plan(clock: Clock, kind: str, level: int, at: datetime) -> tuple[ClockEvent, dict | None]:
    """The event row (unsaved) and its notice's arguments (``None`` for the breach itself: its notice is rung 1 of
    the ladder, planned right after)."""
    if kind == EventKind.BREACHED:
        return ClockEvent(clock=clock, hall_id=clock.hall_id, kind=kind, level=level, at=at, data={}), None
    users, on_duty, role = recipients(clock, kind, level, at)
    data = {"recipients": [u.pk for u in users], "on_duty": on_duty}
    event = ClockEvent(clock=clock, hall_id=clock.hall_id, kind=kind, level=level, at=at, data=data)
    context = {
        "hall_name": clock.hall.name,
        "subject": subject_label(clock),
        # Once per target and pass: get_FIELD_display hashes the whole choice list on every call.
        "target": _memoised(("target", clock.target), lambda: str(clock.get_target_display())),
        "deadline": clock.deadline,
        "share": f"{round(clock.warn_share * 100)}%",
        "level": level,
        "role": role,
        "name": "、".join(_display_name(u) for u in users) or "（未配置）",
    }
    notice = {
        "hall": clock.hall,
        "channel": "wecom",
        "recipient": getattr(settings, "TINGWU_SLA_WECOM_ROBOT", "default"),
        "template": "sla_warning" if kind == EventKind.WARNED else "sla_escalation",
        "context": context,
        "dedupe_key": f"sla:{clock.pk}:{kind}:{level}",
        "subject": clock,
        # Usernames double as WeCom user ids (single sign-on); the robot @-mentions them in the group.
        "options": {"mentioned_list": [u.get_username() for u in users]},
        "not_before": _memoised(
            ("not_before", clock.hall_id, at, on_duty), lambda: not_before(clock, at, on_duty)
        ),
    }
    return event, notice


def record_all(planned: list[tuple[ClockEvent, dict | None]]) -> list[ClockEvent]:
    """Insert one pass's events in one INSERT and queue their notices in another (issue 14: set-based).

    The unique (clock, kind, level) row is the claim that sends each notice exactly once. The sweep holds the
    clocks' row locks, so an existing event means a sweep that did not (or a clock met meanwhile): then the
    events go one by one, and only those inserted here get their notice."""
    if not planned:
        return []
    try:
        with transaction.atomic():
            ClockEvent.objects.bulk_create([event for event, _notice in planned])
        inserted = planned
    except IntegrityError:
        inserted = []
        for event, notice in planned:
            event.pk = None
            try:
                with transaction.atomic():
                    event.save(force_insert=True)
            except IntegrityError:
                continue  # someone else sent it
            inserted.append((event, notice))
    notification_enqueue_many([notice for _event, notice in inserted if notice is not None])
    return [event for event, _notice in inserted]
