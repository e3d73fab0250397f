"""Deadline arithmetic (CMP-2.1, BIZ-2.1) as pure functions: no database, no settings, no "now".

Two calendars:

* ``ClockCalendar`` — wall-clock hours, the default ("…小时内" in the spec).
* ``BusinessCalendar`` — the hall's opening hours; statutory public holidays （法定节假日） are closed and make-up
  working days （调休上班） on a weekend are open, both from the ``chinese_calendar`` library. A hall closed on
  weekends opens on a 调休 Saturday with its Monday hours (the make-up day stands in for a weekday).

Asia/Shanghai has no DST, but every computation is done on aware datetimes in the hall's zone anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A calendar with no opening hours at all would never reach a deadline; stop looking after ~two years.
MAX_DAYS = 800


class NoOpeningHours(ValueError):
    pass


def day_kind(day: date) -> str:
    """'holiday' (statutory, closed), 'makeup' （调休 working weekend day） or 'normal'.

    Years the library does not know yet (it is updated each December when the State Council publishes the next
    year's arrangement) count as normal days: the hall's own weekly hours apply.
    """
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return "normal"
    if on_holiday and name is not None:
        return "holiday"
    if not on_holiday and day.weekday() >= 5:
        return "makeup"
    return "normal"


class ClockCalendar:
    kind = "clock"

    def add(self, start: datetime, seconds: float) -> datetime:
        return start + timedelta(seconds=max(0.0, seconds))

    def between(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds())

    def next_open(self, at: datetime) -> datetime:
        return at


def _parse(hhmm: str) -> tuple[int, int]:
    h, m = hhmm.split(":")
    return int(h), int(m)


class BusinessCalendar:
    kind = "business"

    def __init__(
        self,
        opening_hours: dict,
        tz: ZoneInfo = SHANGHAI,
        day_kind_of: Callable[[date], str] = day_kind,
        day_hours: dict[date, list] | None = None,
    ):
        self.opening_hours = {str(k): v for k, v in (opening_hours or {}).items()}
        self.tz = tz
        self.day_kind_of = day_kind_of
        # The hall's own hours on given dates (holiday opening, closure = []): they win over everything else.
        self.day_hours = day_hours or {}

    def _spec_for(self, day: date) -> list:
        if day in self.day_hours:
            return self.day_hours[day] or []
        kind = self.day_kind_of(day)
        if kind == "holiday":
            return []
        spec = self.opening_hours.get(str(day.weekday())) or []
        if not spec and kind == "makeup":
            spec = next((self.opening_hours[str(d)] for d in range(5) if self.opening_hours.get(str(d))), [])
        return spec

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        out = []
        for open_, close in self._spec_for(day):
            oh, om = _parse(open_)
            ch, cm = _parse(close)
            a = datetime.combine(day, time(oh, om), tzinfo=self.tz)
            # "24:00" closes at the next midnight
            b = datetime.combine(day, time(0, 0), tzinfo=self.tz) + timedelta(hours=ch, minutes=cm)
            if b > a:
                out.append((a, b))
        return sorted(out)

    def _days_from(self, start: datetime):
        day = start.astimezone(self.tz).date()
        for i in range(MAX_DAYS):
            yield day + timedelta(days=i)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of opening time after ``start`` (time outside opening hours does not count)."""
        if seconds <= 0:
            return start
        remaining = float(seconds)
        for day in self._days_from(start):
            for a, b in self.intervals_on(day):
                if b <= start:
                    continue
                a = max(a, start)
                span = (b - a).total_seconds()
                if remaining <= span:
                    return a + timedelta(seconds=remaining)
                remaining -= span
        raise NoOpeningHours("the calendar has no opening hours")

    def between(self, start: datetime, end: datetime) -> float:
        """Opening seconds in [start, end)."""
        if end <= start:
            return 0.0
        total = 0.0
        last = end.astimezone(self.tz).date()
        for day in self._days_from(start):
            if day > last:
                break
            for a, b in self.intervals_on(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        return total

    def is_open(self, at: datetime) -> bool:
        return any(a <= at < b for a, b in self.intervals_on(at.astimezone(self.tz).date()))

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next opening time."""
        for day in self._days_from(at):
            for a, b in self.intervals_on(day):
                if b <= at:
                    continue
                return max(a, at)
        raise NoOpeningHours("the calendar has no opening hours")


def calendar_for(
    kind: str,
    opening_hours: dict | None = None,
    tz: ZoneInfo = SHANGHAI,
    day_kind_of: Callable[[date], str] = day_kind,
    day_hours: dict[date, list] | None = None,
):
    """``day_kind_of`` / ``day_hours``: the stored official arrangement and the hall's own dates
    (``halls.holidays.official_day_kind_of`` / ``hall_day_hours``); the library alone when not given."""
    if kind == "business":
        return BusinessCalendar(opening_hours or {}, tz, day_kind_of=day_kind_of, day_hours=day_hours)
    return ClockCalendar()
