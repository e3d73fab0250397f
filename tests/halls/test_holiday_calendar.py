"""Issue 10 §4 holidays (CMP-2.1, BIZ-2.1 business-hour limits): the official arrangement is data HQ enters and
corrects, seeded from chinese_calendar for the years it knows; from December HQ is warned while next year is
missing; a hall's own holiday hours and closures are used by the business-hour calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from halls.holidays import business_calendar_for, missing_next_year, official_year_set, parse_days
from halls.models import HallDayHours, OfficialDay, OfficialYear
from lib.errors import ServiceError

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_migrate_seeds_every_year_the_library_knows():
    y2026 = OfficialYear.objects.get(year=2026)
    assert y2026.source == "library"
    assert OfficialDay.objects.get(day=date(2026, 10, 1)).name == "国庆节"
    assert OfficialDay.objects.get(day=date(2026, 10, 10)).kind == "workday"


def test_without_2027_a_business_deadline_lands_on_new_years_day(world):
    """The bug: 2026-12-31 17:00 + 2 business hours is promised on 2027-01-01 (a public holiday)."""
    hall = world["hall_a"]
    cal = business_calendar_for(hall)
    due = cal.add(datetime(2026, 12, 31, 17, 0, tzinfo=SH), 2 * 3600)
    assert due.date() == date(2027, 1, 1)


def test_hq_enters_2027_and_the_deadline_skips_the_holiday(client, world):
    client.force_login(world["hq"])
    response = client.post(
        reverse("halls:holiday_year", args=[2027]),
        {"holidays": "2027-01-01~2027-01-03 元旦\n2027-02-05~2027-02-13 春节", "workdays": "2027-02-20 春节"},
    )
    assert response.status_code == 302, response.content.decode()
    hall = world["hall_a"]
    cal = business_calendar_for(hall)
    due = cal.add(datetime(2026, 12, 31, 17, 0, tzinfo=SH), 2 * 3600)
    assert due.date() == date(2027, 1, 4)
    assert cal.intervals_on(date(2027, 2, 20))  # the make-up Saturday is open
    # Correcting the year replaces its days.
    official_year_set(
        year=2027,
        holidays=parse_days("2027-01-01 元旦", year=2027, field="holidays"),
        workdays=[],
        user=world["hq"],
    )
    assert OfficialDay.objects.filter(year__year=2027).count() == 1


def test_only_hq_enters_a_year_and_bad_lines_are_refused(client, world):
    client.force_login(world["manager_a"])
    assert client.get(reverse("halls:holidays")).status_code == 403
    client.force_login(world["hq"])
    bad = client.post(
        reverse("halls:holiday_year", args=[2027]), {"holidays": "2028-01-01 元旦", "workdays": ""}
    )
    assert bad.status_code == 400 and "不在该年份内" in bad.content.decode()
    with pytest.raises(ServiceError) as err:
        official_year_set(
            year=2027,
            holidays=[(date(2027, 1, 1), "元旦")],
            workdays=[(date(2027, 1, 4), "")],
            user=world["hq"],
        )
    assert err.value.code == "workday_weekday"


def test_hq_is_warned_from_december_while_next_year_is_missing(client, world, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=SH), tick=False)
    assert missing_next_year() == 2027
    client.force_login(world["hq"])
    assert 'data-holiday-missing="2027"' in client.get(reverse("home")).content.decode()
    assert 'data-holiday-missing="2027"' in client.get(reverse("halls:holidays")).content.decode()
    client.force_login(world["clerk_a"])
    assert "data-holiday-missing" not in client.get(reverse("home")).content.decode()
    time_machine.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False)
    assert missing_next_year() is None


def test_a_halls_own_holiday_hours_and_closures_drive_its_business_calendar(world):
    hall = world["hall_a"]
    HallDayHours.objects.create(hall=hall, day=date(2026, 10, 2), hours=[["10:00", "16:00"]], note="国庆值班")
    HallDayHours.objects.create(hall=hall, day=date(2026, 9, 30), hours=[], note="设备检修闭厅")
    cal = business_calendar_for(hall)
    assert cal.intervals_on(date(2026, 10, 1)) == []  # statutory holiday, no opening recorded
    assert cal.intervals_on(date(2026, 10, 2)) == [
        (datetime(2026, 10, 2, 10, 0, tzinfo=SH), datetime(2026, 10, 2, 16, 0, tzinfo=SH))
    ]
    assert cal.intervals_on(date(2026, 9, 30)) == []
    # 29 Sep 17:00 + 2 business hours: 1 h on the 29th, the 30th closed, the 1st a holiday, 1 h on the 2nd.
    assert cal.add(datetime(2026, 9, 29, 17, 0, tzinfo=SH), 2 * 3600) == datetime(
        2026, 10, 2, 11, 0, tzinfo=SH
    )


def test_hall_api_counters_carry_their_pause_reason_as_the_openapi_says(client, world):
    """Issue 10 §5 (OpenAPI mismatch): the hall's counters include ``pause_reason``, documented in the schema."""
    from tests import factories as f

    counter = f.counter(world["hall_a"], 9, serves_all=True)
    type(counter).objects.filter(pk=counter.pk).update(status="paused", pause_reason="系统故障")
    client.force_login(world["manager_a"])
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["CounterOut"]
    assert "pause_reason" in schema["properties"]
    body = client.get(f"/api/v1/halls/{world['hall_a'].pk}").json()
    assert {c["number"]: c["pause_reason"] for c in body["counters"]}[9] == "系统故障"
