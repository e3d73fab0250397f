"""Issue 10 §3 (a phone, 375 px): no staff page scrolls sideways. A wide table scrolls inside its own box and forms
and button rows wrap, so ``document.documentElement.scrollWidth`` never exceeds the window's width. Every role's
pages (tests/pages.py: home, menu, the records' detail pages) in Chromium at 375×812, in both languages; the clerk
console and the greeter tablet are photographed (var/screenshots/phone-375-*.png). A box that scrolls sideways takes
the keyboard's focus (axe "scrollable-region-focusable")."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.pages import ROLES, pages_for, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# In the page: how far the document is wider than the window, and the outermost elements that stick out (to say
# which table or form did it).
OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || !box.width) continue;
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1) continue;
    out.push(`${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ")[0] : ""}`
             + ` → ${Math.round(box.right)} px`);
  }
  // a box that scrolls sideways must take the keyboard's focus (axe "scrollable-region-focusable")
  const unreachable = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
    if (el.tabIndex >= 0 || el.querySelector("a[href], button, input, select, textarea, [tabindex]")) continue;
    unreachable.push(`${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ")[0] : ""}`);
  }
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5), unreachable};
}
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_no_staff_page_scrolls_sideways_on_a_phone(browser, live_server, records, role, language):
    user = records[role]
    hall = records["hall_a"].pk
    shots = {
        f"/queue/console/{records['counter'].pk}/": "console",
        f"/floor/halls/{hall}/greeter/": "greeter",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    context, page = signed_in(browser, live_server, user, language=language, width=375, height=812)
    try:
        for url in pages_for(user, records):
            response = page.goto(f"{live_server.url}{url}")
            if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            found = page.evaluate(OVERFLOW_JS)
            if found["scroll"] > found["width"] or found["unreachable"]:
                wide[url] = found
            if url in shots:
                page.screenshot(
                    path=str(SHOTS / f"phone-375-{shots[url]}-{role}-{language}.png"), full_page=True
                )
    finally:
        context.close()
    assert wide == {}, "\n".join(
        f"{url}: {v['scroll']} > {v['width']} px, {v['out']}; not focusable: {v['unreachable']}"
        for url, v in wide.items()
    )
