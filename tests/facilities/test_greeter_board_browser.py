"""In headless Chromium: ENV-2.2 — the greeter tablet already open learns at once that the queue kiosk is down (do not
send customers there) and sees it go when resolved; ENV-3 — the open display scrolls a temporary notice white on red
with its effective time and consultation channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from facilities.services import fault_report, fault_resolve
from floor.models import AnnouncementKind
from floor.services import announcement_publish
from integrations.models import TokenKind, token_create
from tests.conftest import browser_login
from tests.facilities.test_fault_flow_browser import wait_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_env22_greeter_tablet_shows_the_kiosk_down_live_and_then_not(
    browser, live_server, world, fac, fresh_bus
):
    hall = world["hall_a"]
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768})
    tablet = ctx.new_page()
    tablet.set_default_timeout(10_000)
    browser_login(tablet, live_server, "greeter_a")
    tablet.goto(f"{live_server.url}/floor/halls/{hall.pk}/greeter/")
    tablet.locator("#facilities-greeter").wait_for(state="attached")
    tablet.wait_for_timeout(500)  # the event stream is open
    assert "取号机1" not in tablet.locator("#facilities-greeter").inner_text()
    fault = fault_report(facility=fac["kiosk"], reported_by=world["clerk_a"], description="不出票")
    wait_text(tablet, "#facilities-greeter", "请勿引导客户前往")
    assert "取号机1" in tablet.locator("#facilities-greeter").inner_text()
    fault_resolve(user=world["supervisor_a"], fault=fault, resolution="更换打印头")
    wait_text(tablet, "#facilities-greeter", "取号机1", present=False)
    ctx.close()


def test_env3_display_scrolls_the_temporary_notice_with_its_effective_time(
    browser, live_server, world, fresh_bus, settings
):
    settings.FLOOR_SSE_HEARTBEAT = 1
    hall = world["hall_a"]
    _token, raw = token_create(hall=hall, kind=TokenKind.DISPLAY, name="屏A")
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    screen = ctx.new_page()
    screen.set_default_timeout(10_000)
    screen.goto(f"{live_server.url}/floor/display/{hall.pk}/#token={raw}")
    screen.locator("#fd-conn").filter(has_text="已连接").wait_for()
    a = announcement_publish(
        user=world["manager_a"],
        hall=hall,
        kind=AnnouncementKind.BUSINESS_CHANGE,
        title="携号转网暂停",
        body="本周六系统升级,暂停办理携号转网。",
        starts_at=timezone.now() - timedelta(minutes=1),
        consult_window="1号咨询台",
    )
    wait_text(screen, "#fd-ticker", a.effective_label())
    temp = screen.locator(".fd-ann-temp")
    assert "1号咨询台" in temp.inner_text()
    colours = temp.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert colours == ["rgb(200, 16, 46)", "rgb(255, 255, 255)"]
    ctx.close()
