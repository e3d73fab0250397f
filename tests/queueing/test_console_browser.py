"""The counter console in headless Chromium at 1366×768 (issue 3 §3): shortcut badges legible, screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from queueing import services as s
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# WCAG contrast of each shortcut badge's text against the background it is actually drawn on (its own, or the
# button's when the badge is transparent).
CONTRASTS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) { return c; }
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("#console-panel button .kbd")].map((k) => {
    const a = lum(rgb(getComputedStyle(k).color)), b = lum(bg(k));
    return [k.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}
"""


def test_console_shortcut_badges_are_legible_and_screenshot(page, live_server, floor):
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["complex"], priority_kind="elderly")
    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/queue/console/{floor['c1'].pk}/")
    idle = page.evaluate(CONTRASTS)
    assert [k for k, _ in idle] == ["N"] and idle[0][1] >= 4.5, idle
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "console-idle-1366x768.png"))
    page.keyboard.press("n")  # the shortcut calls the next customer
    page.wait_for_selector(f"text={t.number}")
    called = page.evaluate(CONTRASTS)
    assert {k for k, _ in called} >= {"S", "R", "X", "H"}
    assert all(ratio >= 4.5 for _, ratio in called), called
    page.screenshot(path=str(SHOTS / "console-called-1366x768.png"))

    page.get_by_role("button", name="开始办理").click()
    page.wait_for_selector("#finish-form")
    serving = page.evaluate(CONTRASTS)
    assert {k for k, _ in serving} >= {"C", "H", "F"}
    assert all(ratio >= 4.5 for _, ratio in serving), serving
    page.screenshot(path=str(SHOTS / "console-serving-1366x768.png"))
