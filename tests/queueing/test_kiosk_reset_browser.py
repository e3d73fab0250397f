"""Issue 10 §2: after a ticket the kiosk returns to its idle screen by itself (the hall's timeout), clearing the
previous customer's ticket, QR code, language and elder mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from integrations.models import TokenKind, token_create
from queueing.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_kiosk_returns_to_idle_after_a_ticket(browser, live_server, floor):
    hall = floor["hall"]
    hall.kiosk_idle_seconds = 3
    hall.save(update_fields=["kiosk_idle_seconds"])
    _, raw = token_create(hall=hall, kind=TokenKind.KIOSK, name="取号机")
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    kiosk = ctx.new_page()
    kiosk.set_default_timeout(10_000)
    kiosk.goto(f"{live_server.url}/queue/kiosk/pair/")
    kiosk.fill("input[name=token]", raw)
    kiosk.locator("main form button[type=submit]").first.click()
    kiosk.wait_for_url(f"{live_server.url}/queue/kiosk/")
    kiosk.click("text=长辈模式（大字）")
    kiosk.wait_for_selector(".kiosk.elder")
    kiosk.click("button:has-text('English')")
    kiosk.wait_for_selector("html[lang=en]")
    kiosk.locator(".kiosk-btn").first.click()
    kiosk.wait_for_url("**/queue/kiosk/ticket/**")
    number = Ticket.objects.get().number
    assert number in kiosk.inner_text(".ticket-number")
    assert kiosk.locator(".ticket-qr svg").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    kiosk.screenshot(path=str(SHOTS / "kiosk-ticket-before-reset.png"))
    # nobody touches the screen: back to the idle screen, standard mode, Chinese, no ticket, no QR code
    kiosk.wait_for_url(f"{live_server.url}/queue/kiosk/", timeout=8_000)
    kiosk.wait_for_selector("html[lang=zh-CN]")
    assert kiosk.locator(".kiosk.elder").count() == 0
    assert kiosk.locator(".ticket-qr").count() == 0 and number not in kiosk.content()
    assert kiosk.locator("text=请选择您要办理的业务").count() == 1
    kiosk.screenshot(path=str(SHOTS / "kiosk-idle-after-reset.png"))
    ctx.close()
