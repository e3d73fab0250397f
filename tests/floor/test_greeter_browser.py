"""Issue 10 §2: the greeter tablet at 1024×768 — reactivate a 过号 in one tap, every target ≥ 44 px, axe clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from queueing.models import Ticket, TicketStatus
from queueing.services import ticket_call_next, ticket_issue, ticket_no_show
from tests import factories as f
from tests.conftest import browser_login
from tests.floor.test_e2e_floor import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Visible controls smaller than 44×44 CSS px (buttons, links, selects, inputs; a checkbox's target is its label).
SMALL_TARGETS = """
() => [...document.querySelectorAll("main button, main a, main select, main input:not([type=hidden]), main textarea, header button, header select")]
  .filter((el) => el.offsetParent !== null)
  .map((el) => {
    const t = (el.type === "checkbox" || el.type === "radio") && el.closest("label") ? el.closest("label") : el;
    const r = t.getBoundingClientRect();
    return [el.tagName + (el.type ? "[" + el.type + "]" : "") + " " + (el.textContent || el.name || "").trim().slice(0, 20),
            Math.round(r.width), Math.round(r.height)];
  })
  .filter(([, w, h]) => w < 44 || h < 44)
"""


def test_greeter_reactivates_a_no_show_on_the_tablet(page, live_server, world, fresh_bus):
    hall = world["hall_a"]
    c1 = f.counter(hall, 1)
    ticket = ticket_issue(hall=hall, business_type=world["basic"])
    ticket_issue(hall=hall, business_type=world["basic"], priority_kind="elderly")
    ticket_call_next(counter=c1, clerk=world["clerk_a"])
    called = Ticket.objects.get(counter=c1, status=TicketStatus.CALLED)
    ticket_no_show(ticket=called, clerk=world["clerk_a"], counter=c1)

    page.set_viewport_size({"width": 1024, "height": 768})
    browser_login(page, live_server, "greeter_a")
    page.get_by_role("link", name="引导台").click()  # one tap from home
    page.wait_for_selector("#greeter-list")
    assert page.evaluate(SMALL_TARGETS) == []
    assert axe_serious(page, live_server) == []
    page.get_by_role("button", name="重新激活").click()
    page.wait_for_selector("#greeter-list [role=status]:has-text('已重新激活')")
    called.refresh_from_db()
    assert called.status == TicketStatus.WAITING
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "greeter-reactivated-1024x768.png"), full_page=True)
    assert ticket.pk
