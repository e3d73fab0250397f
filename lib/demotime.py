"""Where demo history sits in time: relative to *now*, by calendar month, so that whatever today is, every month a
page shows (this month so far, last month, the month before) has data, and nothing lies in the future.

A demo row says "N months back, this share of the way through that month" or "H hours ago"; these helpers turn that
into an instant. On the 1st just after midnight, "this month" is only minutes long, so this month's rows crowd into
those minutes rather than spill into last month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from lib.months import add_months, month_bounds


def in_month(*, now: datetime, months_ago: int, share: float) -> datetime:
    """The instant ``share`` (0…1) of the way through the month ``months_ago`` before now's; for the current month,
    through the part of it that has passed."""
    if not 0 <= share <= 1:
        raise ValueError("share must be within 0…1")
    start, end = month_bounds(add_months(timezone.localtime(now).date(), -months_ago))
    end = min(end, now)
    return start + (end - start) * share


def hours_ago(*, now: datetime, hours: float) -> datetime:
    """``hours`` before now, but never before the start of now's month (so "recent" rows stay in this month)."""
    start, _end = month_bounds(timezone.localtime(now).date())
    moment = now - timedelta(hours=hours)
    if moment >= start:
        return moment
    # Squeeze into the part of this month that has passed, keeping the order of the rows.
    span = (now - start).total_seconds()
    return start + timedelta(seconds=span / (1 + hours))


def not_after(moment: datetime, now: datetime) -> datetime:
    """A follow-up step (a contact 50 minutes after acceptance) never happens after now."""
    return min(moment, now)
