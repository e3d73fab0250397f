"""Maintenance recurrence (ENV-2.1) as pure functions: RFC 5545 RRULE strings expanded by python-dateutil.

Fixed to the calendar, never counted from the last completion, so an early or late check never moves the next one
(OCA maintenance #161). "Monthly" is a calendar month, not 30 days; a monthly rule that starts on the 29th–31st
(and names no BYMONTHDAY/BYDAY of its own) falls on that day or the month's last day, whichever is earlier — RFC 5545
would silently skip the months without that day.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALLOWED_FREQ = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
# Safety net against a rule that would flood the table (e.g. a typo'd INTERVAL); a horizon never needs more.
MAX_PER_EXPANSION = 400


def _parts(rule: str) -> dict[str, str]:
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        key, sep, value = chunk.partition("=")
        if not sep or not value:
            raise ServiceError("rrule_invalid", _("周期规则格式不正确"), field="rrule")
        parts[key.strip().upper()] = value.strip().upper()
    return parts


def normalise(rule: str) -> str:
    """Validate and return the canonical text ("FREQ=WEEKLY;BYDAY=MO"). Sub-daily frequencies are refused."""
    parts = _parts(rule)
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise ServiceError("rrule_frequency", _("周期须为每日、每周、每月或每年"), field="rrule")
    if "DTSTART" in parts:
        raise ServiceError("rrule_invalid", _("周期规则格式不正确"), field="rrule")
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        rrulestr(text, dtstart=datetime(2026, 1, 1, tzinfo=SHANGHAI))
    except (ValueError, TypeError):
        raise ServiceError("rrule_invalid", _("周期规则格式不正确"), field="rrule") from None
    return text


@lru_cache(maxsize=1024)
def build(rule: str, dtstart: datetime) -> rrule:
    parts = _parts(rule)
    dtstart = dtstart.astimezone(SHANGHAI)
    if (
        parts.get("FREQ") == "MONTHLY"
        and dtstart.day > 28
        and not ({"BYMONTHDAY", "BYDAY", "BYSETPOS"} & set(parts))
    ):
        # The 31st, or the last day of a shorter month: the latest of 28..day that exists that month.
        parts["BYMONTHDAY"] = ",".join(str(d) for d in range(28, dtstart.day + 1))
        parts["BYSETPOS"] = "-1"
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    return rrulestr(text, dtstart=dtstart)


def between(rule: str, dtstart: datetime, start: datetime, end: datetime) -> list[datetime]:
    """Occurrence starts in [start, end], in Asia/Shanghai."""
    return list(_between(rule, dtstart, start, end))


# Pure: plans made from the same template (every hall's "seats every Monday") share one expansion per sweep.
@lru_cache(maxsize=4096)
def _between(rule: str, dtstart: datetime, start: datetime, end: datetime) -> tuple[datetime, ...]:
    out = []
    for at in build(rule, dtstart).xafter(start.astimezone(SHANGHAI), inc=True):
        if at > end or len(out) >= MAX_PER_EXPANSION:
            break
        out.append(at)
    return tuple(out)


@lru_cache(maxsize=4096)
def next_after(rule: str, dtstart: datetime, after: datetime) -> datetime | None:
    """The first occurrence start strictly after ``after`` (None when the rule has ended)."""
    return build(rule, dtstart).after(after.astimezone(SHANGHAI), inc=False)
