"""The demo gives the complaint pages content whatever today is: complaints in this month, the last and the one
before (the hot-spot page compares a month with the one before), consultations, hot spots (CMP-3)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from complaints.analysis import monthly_hotspots
from complaints.demo import COMPLAINTS
from complaints.models import Complaint, Status
from consultations.models import Consultation
from lib.months import add_months

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _expected_per_month() -> dict[int, int]:
    """What the demo's table promises: rows by months back (an hours-ago row belongs to this month)."""
    counts: dict[int, int] = {}
    for when, *_rest in COMPLAINTS:
        months_back = when[0] if isinstance(when, tuple) else 0
        counts[months_back] = counts.get(months_back, 0) + 1
    return counts


def _load_and_check():
    # Only the domains this test is about: the whole demo (a year of KPI history) is test_foundation_smoke's.
    call_command("demo", "--quiet", "--only", "complaints,consultations")
    call_command("demo", "--quiet", "--only", "complaints,consultations")
    assert Complaint.objects.count() == len(COMPLAINTS) == 13
    assert Complaint.objects.filter(status=Status.CLOSED).count() == 8
    assert Consultation.objects.count() == 6
    now = timezone.now()
    assert not Complaint.objects.filter(accepted_at__gt=now).exists(), "demo history lies in the future"
    this_month = timezone.localdate().replace(day=1)
    for months_back, expected in _expected_per_month().items():
        month = add_months(this_month, -months_back)
        figures = monthly_hotspots(queryset=Complaint.objects.all(), month=month)
        assert figures["total"] == expected, (month, figures["total"])
        assert figures["keywords"] and figures["groups"], month


@pytest.mark.django_db
def test_demo_loads_complaints_and_consultations_idempotently():
    _load_and_check()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI),  # early in a month: the day this test first failed
        datetime(2026, 11, 1, 0, 20, tzinfo=SHANGHAI),  # minutes into a month (UTC still says 31 October)
        datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI),  # the last half hour of the year
        datetime(2027, 3, 1, 8, 0, tzinfo=SHANGHAI),  # after a 28-day February
        datetime(
            2026, 2, 17, 10, 0, tzinfo=SHANGHAI
        ),  # two months back is last year: a standard must be in force
    ],
    ids=["early-month", "month-first-minutes", "year-end", "after-february", "early-in-year"],
)
def test_demo_months_each_hold_their_complaints_on_any_date(instant):
    with time_machine.travel(instant, tick=False):
        _load_and_check()
