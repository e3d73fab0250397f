"""ENV-2.1 recurrence: RFC 5545 rules fixed to the calendar (weekly, calendar-monthly incl. the 31st)."""

from __future__ import annotations

from datetime import datetime

import pytest

from facilities import recurrence
from lib.errors import ServiceError
from tests.facilities.conftest import SH


def test_env_2_1_weekly_monday():
    start = datetime(2026, 12, 1, 9, 0, tzinfo=SH)  # a Tuesday
    got = recurrence.between("FREQ=WEEKLY;BYDAY=MO", start, start, datetime(2026, 12, 31, tzinfo=SH))
    assert [d.day for d in got] == [7, 14, 21, 28]
    assert all(d.hour == 9 and d.weekday() == 0 for d in got)


def test_env_2_1_monthly_is_a_calendar_month_not_30_days():
    start = datetime(2026, 1, 15, 10, 0, tzinfo=SH)
    got = recurrence.between("FREQ=MONTHLY", start, start, datetime(2026, 6, 30, tzinfo=SH))
    assert [(d.month, d.day) for d in got] == [(1, 15), (2, 15), (3, 15), (4, 15), (5, 15), (6, 15)]


def test_env_2_1_monthly_rule_starting_on_the_31st_falls_on_each_months_last_day():
    start = datetime(2026, 1, 31, 10, 0, tzinfo=SH)
    got = recurrence.between("FREQ=MONTHLY", start, start, datetime(2026, 12, 31, 23, 0, tzinfo=SH))
    assert [d.day for d in got] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    leap = recurrence.between(
        "FREQ=MONTHLY",
        datetime(2028, 1, 30, tzinfo=SH),
        datetime(2028, 1, 1, tzinfo=SH),
        datetime(2028, 3, 31, tzinfo=SH),
    )
    assert [(d.month, d.day) for d in leap] == [(1, 30), (2, 29), (3, 30)]


def test_env_2_1_explicit_bymonthday_is_respected():
    start = datetime(2026, 1, 31, tzinfo=SH)
    got = recurrence.between("FREQ=MONTHLY;BYMONTHDAY=1", start, start, datetime(2026, 4, 30, tzinfo=SH))
    assert [(d.month, d.day) for d in got] == [(2, 1), (3, 1), (4, 1)]


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=MINUTELY;INTERVAL=1",
        "FREQ=WEEKLY;BYDAY=XX",
        "nonsense",
        "FREQ=WEEKLY;DTSTART=1",
    ],
)
def test_env_2_1_bad_rules_are_refused(rule):
    with pytest.raises(ServiceError):
        recurrence.normalise(rule)


def test_normalise_is_canonical():
    assert recurrence.normalise("rrule:freq=weekly;byday=mo") == "FREQ=WEEKLY;BYDAY=MO"


def test_next_after():
    start = datetime(2026, 12, 7, 9, 0, tzinfo=SH)
    assert recurrence.next_after("FREQ=WEEKLY", start, start) == datetime(2026, 12, 14, 9, 0, tzinfo=SH)
    assert recurrence.next_after("FREQ=WEEKLY;COUNT=1", start, start) is None
