"""End to end in headless Chromium (issue 3 "Done means"): kiosk issues a priority ticket → clerk console calls it →
display shows it with the voice phrase queued → clerk finishes with a missing-materials list.
Screenshots of the console (1366×768) and the display (1920×1080); axe on kiosk, display and mobile-ticket pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from integrations.models import TokenKind, token_create
from queueing.models import Ticket
from tests import factories as f
from tests.conftest import browser_login
from tests.floor.test_display_browser import SPEECH_STUB, wait_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE_URL = "/static/vendor/axe-core-4.11.0.min.js"


def axe_serious(page, live_server) -> list:
    page.add_script_tag(url=f"{live_server.url}{AXE_URL}")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [(n["target"], n.get("failureSummary", "")[:200]) for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def quick_streams(settings):
    settings.FLOOR_SSE_HEARTBEAT = 1
    settings.FLOOR_SSE_MAX_SECONDS = 120


def test_kiosk_to_console_to_display_to_missing_materials(
    browser, live_server, world, fresh_bus, quick_streams
):
    hall = world["hall_a"]
    counter = f.counter(hall, 3)
    _, kiosk_raw = token_create(hall=hall, kind=TokenKind.KIOSK, name="取号机")
    _, display_raw = token_create(hall=hall, kind=TokenKind.DISPLAY, name="叫号屏")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The wall display, 1920×1080, connected before anything happens.
    display_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    display = display_ctx.new_page()
    display.set_default_timeout(15_000)
    display.add_init_script(SPEECH_STUB)
    display.goto(f"{live_server.url}/floor/display/{hall.pk}/#token={display_raw}")
    display.locator("#fd-conn").filter(has_text="已连接").wait_for()  # survives the pairing redirect
    wait_js(display, "document.getElementById('fd-conn').textContent.includes('已连接')")

    # 1. Kiosk: an elderly customer takes a ticket for a plan change.
    kiosk_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    kiosk = kiosk_ctx.new_page()
    kiosk.set_default_timeout(15_000)
    kiosk.goto(f"{live_server.url}/queue/kiosk/pair/")
    kiosk.fill("input[name=token]", kiosk_raw)
    kiosk.locator("main form button[type=submit]").first.click()
    kiosk.wait_for_url(f"{live_server.url}/queue/kiosk/")
    assert axe_serious(kiosk, live_server) == []
    kiosk.locator("input[name=priority_kind][value=elderly]").check()
    kiosk.get_by_role("button", name="套餐变更").click()
    kiosk.wait_for_url("**/queue/kiosk/ticket/**")
    number = kiosk.locator(".ticket-number").inner_text().strip()
    assert number == "A001"
    ticket = Ticket.objects.get(number=number, hall=hall)
    assert ticket.priority_kind == "elderly"

    # The mobile ticket page (QR target) passes axe too.
    mobile_ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    mobile = mobile_ctx.new_page()
    mobile.goto(f"{live_server.url}/queue/m/{ticket.public_token}/")
    assert number in mobile.content()
    assert axe_serious(mobile, live_server) == []

    # 2. Clerk console (1366×768) calls the next customer.
    console_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    console = console_ctx.new_page()
    console.set_default_timeout(15_000)
    browser_login(console, live_server, "clerk_a")
    console.goto(f"{live_server.url}/queue/console/{counter.pk}/")
    console.get_by_role("button", name="叫下一位").click()
    console.wait_for_selector(f"text={number}")

    # 3. The display shows it and queues the Mandarin phrase naming the counter.
    wait_js(display, "window.tingwuVoiceQueue.length >= 1")
    assert display.evaluate("window.tingwuVoiceQueue[0].text") == "请A001号到3号窗口办理"
    assert display.evaluate("window.__spoken[0].text") == "请A、零、零、一号到3号窗口办理"
    assert display.locator(".fd-number").inner_text() == "A001"
    assert axe_serious(display, live_server) == []
    wait_js(
        display, "document.getElementById('fd-waiting').textContent.includes('当前无人等候')"
    )  # counts refreshed
    display.wait_for_timeout(3500)  # let the call's flash animation finish
    display.screenshot(path=str(SHOTS / "e2e-display-1920x1080.png"))

    # 4. The clerk starts, the customer lacks the ID-card original: finish with a missing-materials list.
    console.get_by_role("button", name="开始办理").click()
    console.wait_for_selector("#finish-form")
    console.select_option("#outcome", "materials_missing")
    console.screenshot(path=str(SHOTS / "e2e-console-1366x768.png"), full_page=False)
    console.locator("#finish-form button[type=submit]").click()
    console.wait_for_url("**/supplement/**")
    body = console.locator("main").inner_text()
    assert "补充材料清单" in body
    assert "身份证原件" in body and "如遗失可先办理临时身份证" in body
    ticket.refresh_from_db()
    assert ticket.status == "done" and ticket.outcome == "materials_missing"
    console.screenshot(path=str(SHOTS / "e2e-supplement-1366x768.png"))

    for ctx in (display_ctx, kiosk_ctx, mobile_ctx, console_ctx):
        ctx.close()
