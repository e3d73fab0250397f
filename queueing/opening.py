"""When the kiosk may issue (issue 10 §2): the hall's opening hours on the business calendar (statutory holidays
closed, 调休 working days open — ``sla.calendars``), and the hall's choice to queue before opening."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from sla.calendars import BusinessCalendar, NoOpeningHours


def hall_calendar(hall) -> BusinessCalendar:
    # One place: when halls record their own holiday hours and closures the kiosk follows the same calendar.
    return BusinessCalendar(hall.opening_hours or {})


def kiosk_opening(*, hall, now: datetime) -> dict:
    """``{"open", "opens_at", "may_issue", "before_opening"}`` for the kiosk at ``now``.

    Outside opening hours nothing is promised as a wait: the screen says when the hall opens; it issues only when
    the hall chose to queue before opening and the hall opens later the same day."""
    cal = hall_calendar(hall)
    if cal.is_open(now):
        return {"open": True, "opens_at": None, "may_issue": True, "before_opening": False}
    try:
        opens_at = cal.next_open(now)
    except NoOpeningHours:
        opens_at = None
    same_day = opens_at is not None and timezone.localdate(opens_at) == timezone.localdate(now)
    before = bool(hall.queue_before_opening and same_day)
    return {"open": False, "opens_at": opens_at, "may_issue": before, "before_opening": before}
