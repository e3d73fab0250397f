"""Deadline arithmetic as pure functions (CMP-2.1, BIZ-2.1): clock hours and hall business hours with Chinese
public holidays and make-up working days (调休). No database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halls.models import default_opening_hours
from sla.calendars import BusinessCalendar, ClockCalendar, NoOpeningHours, day_kind

SH = ZoneInfo("Asia/Shanghai")
H = 3600
WEEKDAYS_ONLY = {str(d): [["09:00", "18:00"]] for d in range(5)}
WITH_LUNCH = {str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(5)}


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_day_kinds_of_national_day_2026():
    assert day_kind(at(2026, 10, 1).date()) == "holiday"
    assert day_kind(at(2026, 10, 10).date()) == "makeup"  # 调休 Saturday
    assert day_kind(at(2026, 10, 11).date()) == "normal"  # ordinary Sunday
    assert day_kind(at(2026, 10, 12).date()) == "normal"


def test_clock_calendar_counts_holidays_and_nights():
    cal = ClockCalendar()
    assert cal.add(at(2026, 9, 30, 16), 24 * H) == at(2026, 10, 1, 16)
    assert cal.between(at(2026, 9, 30, 16), at(2026, 10, 1, 16)) == 24 * H


def test_business_hours_skip_national_day_and_count_the_tiaoxiu_saturday():
    """A hall closed at weekends: 2 h on 30 Sep, 国庆 1–7 Oct closed, 9 h on 8 and 9 Oct, then the 调休 Saturday
    10 Oct opens with Monday's hours."""
    cal = BusinessCalendar(WEEKDAYS_ONLY)
    start = at(2026, 9, 30, 16)
    assert cal.add(start, 12 * H) == at(2026, 10, 9, 10)
    assert cal.add(start, 20 * H) == at(2026, 10, 9, 18)
    assert cal.add(start, 22 * H) == at(2026, 10, 10, 11)  # not Monday 12 Oct: the make-up day counts
    assert cal.between(start, at(2026, 10, 10, 11)) == 22 * H


def test_business_hours_across_spring_festival_with_weekend_opening_hall():
    """Default hours (weekdays 9–18, weekends 9:30–17): Sat 14 Feb is a 调休 working day, 15–23 Feb closed."""
    cal = BusinessCalendar(default_opening_hours())
    start = at(2026, 2, 13, 17)
    # 1 h Fri + 7.5 h Sat 14 + 9 h Tue 24 + 6.5 h Wed 25 = 24 h
    assert cal.add(start, 24 * H) == at(2026, 2, 25, 15, 30)


def test_lunch_break_does_not_count():
    cal = BusinessCalendar(WITH_LUNCH)
    assert cal.add(at(2026, 3, 2, 11), 2 * H) == at(2026, 3, 2, 14, 30)
    assert cal.between(at(2026, 3, 2, 11), at(2026, 3, 2, 14, 30)) == 2 * H


def test_lunch_less_day_counts_straight_through():
    cal = BusinessCalendar(default_opening_hours())
    assert cal.add(at(2026, 3, 2, 11), 2 * H) == at(2026, 3, 2, 13)


def test_start_outside_hours_begins_at_next_opening():
    cal = BusinessCalendar(WEEKDAYS_ONLY)
    assert cal.add(at(2026, 3, 2, 20), 1 * H) == at(2026, 3, 3, 10)
    assert cal.next_open(at(2026, 3, 2, 20)) == at(2026, 3, 3, 9)
    assert cal.next_open(at(2026, 3, 3, 10)) == at(2026, 3, 3, 10)
    assert not cal.is_open(at(2026, 3, 2, 20))
    # Friday evening → Monday morning
    assert cal.add(at(2026, 3, 6, 17), 2 * H) == at(2026, 3, 9, 10)


def test_year_unknown_to_the_library_uses_weekly_hours():
    cal = BusinessCalendar(WEEKDAYS_ONLY)
    assert cal.add(at(2031, 1, 3, 17), 2 * H) == at(2031, 1, 6, 10)  # Fri → Mon


def test_hall_without_hours_cannot_reach_a_business_deadline():
    with pytest.raises(NoOpeningHours):
        BusinessCalendar({}).add(at(2026, 3, 2, 9), H)


def test_zero_duration_is_the_start():
    assert BusinessCalendar(WEEKDAYS_ONLY).add(at(2026, 3, 2, 20), 0) == at(2026, 3, 2, 20)


@settings(max_examples=40, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)),
    seconds=st.integers(min_value=1, max_value=80 * H),
)
def test_between_inverts_add(start, seconds):
    cal = BusinessCalendar(WITH_LUNCH)
    start = start.replace(tzinfo=SH)
    end = cal.add(start, seconds)
    assert cal.between(start, end) == pytest.approx(seconds, abs=1e-3)
    assert end >= start + timedelta(seconds=seconds)
