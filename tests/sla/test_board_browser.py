"""A duty supervisor opens the due-soon board in headless Chromium (CMP-2.1): the overdue complaint clock is first,
the filter works, and the page raises no CSP violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sla.models import Target
from sla.services import clock_start, sla_sweep
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_sees_overdue_first_on_the_board(page, live_server, world):
    now = timezone.now()
    hall = world["hall_a"]
    clock_start(
        subject=hall,
        target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE,
        hall=hall,
        started_at=now - timedelta(minutes=50),
    )
    clock_start(
        subject=hall, target=Target.COMPLAINT_FIRST_CONTACT, hall=hall, started_at=now - timedelta(hours=3)
    )
    sla_sweep()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(page, live_server, "supervisor_a")
    page.click("text=时限看板")
    page.wait_for_url(f"{live_server.url}/sla/")
    rows = page.locator("table.sla-board tbody tr")
    assert rows.count() == 2
    assert "已超时" in rows.nth(0).inner_text() and "投诉首次联系" in rows.nth(0).inner_text()
    assert "即将到期" in rows.nth(1).inner_text()
    page.fill("#id_within", "0")
    page.click("main form button[type=submit]")
    assert page.locator(".field-error .errorlist").count() == 1
    assert page.input_value("#id_within") == "0"
    assert not violations
