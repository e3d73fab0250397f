"""ENV-2.2 / STF-3.2 in headless Chromium: a clerk reports the kiosk broken on a phone-sized page → the open display
shows the maintenance notice → the greeter sees the guide task → the supervisor resolves it → the notice disappears
from the open display."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from facilities.services import MAINTENANCE_NOTICE
from integrations.models import TokenKind, token_create
from staff.models import DutyShift
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def wait_text(page, selector: str, text: str, present: bool = True, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (text in page.locator(selector).inner_text()) == present:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector}: {text!r} {'never appeared' if present else 'never went away'}")


def test_env_2_2_report_on_phone_notice_on_display_guide_task_resolve(
    browser, live_server, world, fac, fresh_bus, settings
):
    settings.FLOOR_SSE_HEARTBEAT = 1
    settings.FLOOR_SSE_MAX_SECONDS = 60
    hall = world["hall_a"]
    now = timezone.now()
    DutyShift.objects.create(
        hall=hall,
        user=world["greeter_a"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    _token, raw = token_create(hall=hall, kind=TokenKind.DISPLAY, name="屏A")

    screen_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    screen = screen_ctx.new_page()
    screen.set_default_timeout(10_000)
    screen.goto(f"{live_server.url}/floor/display/{hall.pk}/#token={raw}")
    screen.locator("#fd-conn").filter(has_text="已连接").wait_for()
    assert MAINTENANCE_NOTICE not in screen.locator("#fd-ticker").inner_text()

    phone_ctx = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(10_000)
    browser_login(phone, live_server, "clerk_a")
    phone.goto(f"{live_server.url}/facilities/halls/{hall.pk}/report/")
    phone.get_by_role("link", name="取号机1").tap()  # tap 1: the facility
    phone.get_by_role("button", name="屏幕无反应").tap()  # tap 2: the problem
    phone.locator("#fault-status").filter(has_text="已确认故障").wait_for()

    wait_text(screen, "#fd-ticker", MAINTENANCE_NOTICE)

    greeter_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768})
    tablet = greeter_ctx.new_page()
    browser_login(tablet, live_server, "greeter_a")
    tablet.goto(f"{live_server.url}/facilities/halls/{hall.pk}/")
    assert "引导客户至人工窗口" in tablet.locator("#my-tasks").inner_text()
    assert "取号机1" in tablet.locator("#my-tasks").inner_text()

    sup_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    sup = sup_ctx.new_page()
    browser_login(sup, live_server, "supervisor_a")
    sup.goto(f"{live_server.url}/facilities/halls/{hall.pk}/")
    sup.locator("#faults a", has_text="取号机1").click()
    sup.fill("#f-res", "重启后恢复")
    sup.get_by_role("button", name="已修复（撤下公告）").click()
    sup.locator("#fault-status").filter(has_text="已修复").wait_for()

    wait_text(screen, "#fd-ticker", MAINTENANCE_NOTICE, present=False)
    tablet.reload()
    assert tablet.locator("#my-tasks").count() == 0
    for ctx in (screen_ctx, phone_ctx, greeter_ctx, sup_ctx):
        ctx.close()
