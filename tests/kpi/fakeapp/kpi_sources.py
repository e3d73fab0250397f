"""A fake plug-in source (another app besides evaluations): satisfaction and response rate for hall A."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

LABELS = {"survey": _("试点问卷评价")}
HALL_ID: list[int] = []  # set by the test
CLERK_ID: list[int] = []


def parts(*, day_from: date, day_to: date):
    day = date(2026, 11, 5)
    if not (day_from <= day <= day_to) or not HALL_ID:
        return
    yield {
        "kpi": "satisfaction",
        "source": "survey",
        "day": day,
        "hall_id": HALL_ID[0],
        "clerk_id": CLERK_ID[0],
        "business_type_id": None,
        "numerator": 38,
        "denominator": 40,
    }
    yield {
        "kpi": "evaluation_response",
        "source": "survey",
        "day": day,
        "hall_id": HALL_ID[0],
        "clerk_id": CLERK_ID[0],
        "business_type_id": None,
        "numerator": 40,
        "denominator": 50,
    }


def rows(*, source, day_from, day_to, hall_ids, clerk_id=None):
    at = datetime.combine(date(2026, 11, 5), time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    return [
        {
            "at": at,
            "label": "评价 #1",
            "numerator": 0,
            "denominator": 0,
            "note": "无效评价(连续快速点击)",
            "url": None,
        }
    ]
