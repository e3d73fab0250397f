"""Issue 10 §2 (BIZ-4, MIIT 适老化): elder mode on the kiosk, its ticket, the mobile ticket and the public guide —
every visible text ≥ 24 px and the largest ≥ 30 px, every target ≥ 60×60 px, an on-screen numeric keypad for phone
fields, axe serious/critical = 0 (contrast ≥ 4.5:1 included); and axe = 0 on the staff console and board."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from integrations.models import TokenKind, token_create
from queueing import services as s
from tests.conftest import browser_login
from tests.floor.test_e2e_floor import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# [smallest text px, largest text px, [targets under 60×60]] over visible elements that draw text / take a tap.
MEASURE = """
() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.display !== "none"; };
  const texts = [...document.querySelectorAll("body *")].filter((el) => visible(el) &&
    [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) || (el.matches("input, select, textarea") && visible(el)));
  const sizes = texts.map((el) => [parseFloat(getComputedStyle(el).fontSize), el.tagName + "." + el.className + " " + (el.textContent || "").trim().slice(0, 12)]);
  sizes.sort((a, b) => a[0] - b[0]);
  const small = [...document.querySelectorAll("a, button, input:not([type=hidden]), select, textarea, label.chip")]
    .filter(visible).filter((el) => !((el.type === "radio" || el.type === "checkbox") && el.closest("label.chip")))
    .map((el) => [el.tagName + " " + (el.textContent || el.name || "").trim().slice(0, 12), Math.round(el.getBoundingClientRect().width), Math.round(el.getBoundingClientRect().height)])
    .filter(([, w, h]) => w < 60 || h < 60);
  return [sizes[0], sizes[sizes.length - 1], small];
}
"""


def _check(page, live_server, name):
    smallest, largest, small_targets = page.evaluate(MEASURE)
    assert smallest[0] >= 24, (name, smallest)
    assert largest[0] >= 30, (name, largest)
    assert small_targets == [], (name, small_targets)
    assert axe_serious(page, live_server) == [], name
    page.screenshot(path=str(SHOTS / f"elder-{name}.png"), full_page=True)


def test_elder_mode_meets_the_miit_numbers_on_every_customer_page(browser, live_server, floor):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _, raw = token_create(hall=floor["hall"], kind=TokenKind.KIOSK, name="取号机")
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/queue/kiosk/pair/")
    page.fill("input[name=token]", raw)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/queue/kiosk/")
    page.goto(f"{live_server.url}/queue/kiosk/?elder=1")
    _check(page, live_server, "kiosk")
    # the phone field is filled from the on-screen keypad
    pad = page.locator("[data-keypad-for=gc-mobile]")
    for d in "13800":
        pad.locator(f"button[data-key='{d}']").click()
    pad.locator("button[data-key=back]").click()
    assert page.input_value("#gc-mobile") == "1380"
    page.locator(".kiosk-btn").first.click()
    page.wait_for_url("**/queue/kiosk/ticket/**")
    _check(page, live_server, "kiosk-ticket")
    ticket = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    mobile = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    mobile.goto(f"{live_server.url}/queue/m/{ticket.public_token}/")
    mobile.get_by_role("link", name="长辈模式（大字）").click()
    mobile.wait_for_selector("body.elder-mode")
    mobile.wait_for_load_state(
        "load"
    )  # the elder style sheet applied before measuring (not just the body class)
    _check(mobile, live_server, "mobile-ticket")
    mobile.goto(f"{live_server.url}/catalog/guide/{floor['basic'].code}/public/")
    mobile.get_by_role("link", name="长辈模式（大字）").click()
    mobile.wait_for_selector("body.elder-mode")
    mobile.wait_for_load_state(
        "load"
    )  # the elder style sheet applied before measuring (not just the body class)
    _check(mobile, live_server, "guide")
    ctx.close()


def test_staff_console_and_board_have_no_serious_axe_findings(page, live_server, floor):
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"], priority_kind="elderly")
    browser_login(page, live_server, "supervisor_a")
    page.goto(f"{live_server.url}/queue/console/{floor['c1'].pk}/")
    assert axe_serious(page, live_server) == []
    page.get_by_role("button", name="叫下一位").click()
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_selector("#finish-form")
    assert axe_serious(page, live_server) == []
    page.goto(f"{live_server.url}/floor/halls/{floor['hall'].pk}/board/")
    assert axe_serious(page, live_server) == []
