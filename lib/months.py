"""Calendar months in the project's time zone (Asia/Shanghai): the one place month arithmetic lives."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone


def first_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after (negative: before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def previous_month(month: date) -> date:
    return add_months(month, -1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of ``month`` as aware datetimes at local midnight (a month is a local calendar month)."""
    tz = timezone.get_current_timezone()
    first = first_of(month)
    return datetime.combine(first, time.min, tz), datetime.combine(add_months(first, 1), time.min, tz)
