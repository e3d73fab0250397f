"""CMP-3 / issue 10 §6: the monthly hot-spot analysis runs by itself on the 1st (the worker's ``hotspot_sweep``,
idempotent) and is kept as a monthly record shown on the hot-spot page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints.hotspot_records import hotspot_sweep
from complaints.models import HotspotReport

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_the_first_of_the_month_keeps_last_months_analysis_once(world, intake, time_machine):
    time_machine.move_to(datetime(2026, 11, 12, 10, 0, tzinfo=SH), tick=False)
    intake()
    intake(demand="宽带经常断线,报修三次没人上门")
    time_machine.move_to(datetime(2026, 12, 1, 0, 5, tzinfo=SH), tick=False)
    result = hotspot_sweep()
    assert result["month"] == "2026-11-01" and result["created"] >= 1
    report = HotspotReport.objects.get(hall=world["hall_a"], month=date(2026, 11, 1))
    assert report.total == 2 and report.data["keywords"] and "groups" in report.data
    assert "张桂兰" not in str(report.data) and "13800138001" not in str(report.data)
    # every later pass (and a second worker) changes nothing
    assert hotspot_sweep()["created"] == 0
    time_machine.move_to(datetime(2026, 12, 15, 9, 0, tzinfo=SH), tick=False)
    assert hotspot_sweep()["created"] == 0
    assert HotspotReport.objects.filter(hall=world["hall_a"]).count() == 1


def test_the_worker_pass_runs_the_sweep(world, time_machine, monkeypatch):
    from tingwu.management.commands import worker
    from tingwu.management.commands.worker import run_pass

    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # keep the test's transaction
    time_machine.move_to(datetime(2026, 12, 1, 8, 0, tzinfo=SH), tick=False)
    result = run_pass(housekeeping=False)
    assert result["hotspots"]["month"] == "2026-11-01"
    assert HotspotReport.objects.filter(month=date(2026, 11, 1), hall=world["hall_a"]).exists()


def test_the_hotspot_page_lists_the_records_of_visible_halls_only(client, world, intake, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 8, 0, tzinfo=SH), tick=False)
    hotspot_sweep()
    client.force_login(world["supervisor_a"])
    html = client.get(reverse("complaints:hotspots")).content.decode()
    assert 'id="monthly-records"' in html and "2026-11" in html
    assert world["hall_a"].name in html.split('id="monthly-records"')[1]
    assert world["hall_b"].name not in html.split('id="monthly-records"')[1]


def test_the_record_is_language_neutral_whatever_language_the_worker_ran_in(world, intake, time_machine):
    """Issue 10 §3: a record kept by a worker running in English must not show English labels to a Chinese reader
    (nor the reverse): it keeps keys and words, and the page names them in the reader's language."""
    from django.utils import translation

    time_machine.move_to(datetime(2026, 11, 12, 10, 0, tzinfo=SH), tick=False)
    intake()
    intake(demand="宽带经常断线,报修三次没人上门")
    time_machine.move_to(datetime(2026, 12, 1, 0, 5, tzinfo=SH), tick=False)
    with translation.override("en"):
        hotspot_sweep()
    data = HotspotReport.objects.get(hall=world["hall_a"], month=date(2026, 11, 1)).data
    rows = data["by_business_type"] + data["by_responsibility"]
    assert rows and all("label" not in r and "key" in r for r in rows)
    assert all(isinstance(g["words"], list) and "label" not in g for g in data["groups"])
    assert ", " not in str(data["groups"])  # no separator of the worker's language inside a stored group
