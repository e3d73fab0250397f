"""Issue 10 §2: every error a service raises appears where the user acted, on every htmx page (one mechanism in
the base template's ``tingwu/htmx-errors.js``): a re-rendered 4xx fragment is swapped in, any other refusal is shown
next to the control."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from queueing import services as s
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_console_finish_with_mandatory_material_unchecked_shows_the_error(page, live_server, floor):
    """BIZ-1.1: 办结 as 已办结 with a mandatory material not ticked is refused (400); the clerk must see why."""
    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/queue/console/{floor['c1'].pk}/")
    page.get_by_role("button", name="叫下一位").click()
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_selector("#finish-form")
    page.locator("#finish-form button[type=submit]").click()
    alert = page.locator("#console-panel [role=alert]")
    alert.wait_for()
    assert "必需材料未勾选" in alert.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "console-finish-error-1366x768.png"))


def test_a_refusal_without_a_fragment_is_shown_next_to_the_control(page, live_server, floor):
    """A 404/403 page or a JSON answer has nothing to swap: its message goes next to the form the user used."""
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/queue/console/{floor['c1'].pk}/")
    # The counter disappears from under the clerk (another tab, the manager): the action answers 404.
    page.evaluate(
        """() => { const f = document.querySelector("form[hx-post$='/close/']");
                   f.setAttribute("hx-post", f.getAttribute("hx-post").replace(/console\\/\\d+/, "console/999999"));
                   htmx.process(f); }"""
    )
    page.get_by_role("button", name="关闭窗口").click()
    alert = page.locator(".htmx-error[role=alert]:not([hidden])")
    alert.wait_for()
    assert alert.inner_text().strip()
    # the message sits right after the form acted on
    assert page.evaluate(
        "() => document.querySelector(\"form[hx-post$='/close/']\").nextElementSibling.classList.contains('htmx-error')"
    )
