"""ENV-2.1: a maintenance recurrence in the standard reads in words (no raw RFC 5545 code on a zh-Hans page)."""

from __future__ import annotations

import pytest
from django.utils import translation

from lib.recurrence_text import describe


@pytest.mark.parametrize(
    ("rule", "zh", "en"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "每周周一", "weekly on Monday"),
        ("FREQ=MONTHLY", "每月", "monthly"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "每月31日", "monthly on day 31"),
        ("FREQ=DAILY;INTERVAL=2", "每2天", "every 2 days"),
        ("FREQ=HOURLY", "自定义周期", "custom recurrence"),
        ("FREQ=WEEKLY;BYDAY=XX", "自定义周期", "custom recurrence"),
        ("garbage", "自定义周期", "custom recurrence"),
    ],
)
def test_env_2_1_recurrence_in_words(rule, zh, en):
    with translation.override("zh-hans"):
        assert describe(rule) == zh
    with translation.override("en"):
        assert describe(rule) == en
