"""SLA clocks whose deadline is a date the app sets (end of the inspection week, a rectification's deadline).

``sla.services.clock_start`` takes the length from the standard; here the length is re-aimed at the given deadline
in the same transaction, so the engine's warning / breach / escalation (each once) run against it unchanged."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from sla.calendars import calendar_for
from sla.models import Clock, ClockEvent, EventKind
from sla.services import _next_check, clock_start


@transaction.atomic
def clock_start_until(
    *, subject, target, hall, started_at: datetime, deadline: datetime, actor=None
) -> Clock:
    clock = clock_start(subject=subject, target=target, hall=hall, started_at=started_at, actor=actor)
    cal = calendar_for(clock.calendar, clock.hall.opening_hours)
    seconds = max(int(cal.between(clock.started_at, deadline)), 60) if deadline > clock.started_at else 60
    clock.target_seconds = seconds
    clock.deadline = cal.add(clock.started_at, seconds + clock.paused_seconds)
    clock.warn_at = cal.add(clock.started_at, seconds * clock.warn_share + clock.paused_seconds)
    clock.next_check_at = _next_check(clock)
    Clock.objects.filter(pk=clock.pk).update(
        target_seconds=clock.target_seconds,
        deadline=clock.deadline,
        warn_at=clock.warn_at,
        next_check_at=clock.next_check_at,
    )
    ClockEvent.objects.filter(clock=clock, kind=EventKind.STARTED).update(
        data={"deadline": clock.deadline.isoformat(), "warn_at": clock.warn_at.isoformat()}
    )
    return clock
