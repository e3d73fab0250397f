"""Greeter tablet, supervisor board, announcements and emergency pages in Chromium: axe clean, screenshots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from floor.models import IncidentKind
from floor.services import incident_declare
from queueing.services import handling_start, ticket_call_next, ticket_issue
from tests import factories as f
from tests.conftest import browser_login
from tests.floor.test_e2e_floor import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_greeter_and_board_pages_are_accessible_and_look_right(
    page, live_server, world, fresh_bus, time_machine
):
    hall = world["hall_a"]
    time_machine.move_to(timezone.now() - timedelta(minutes=20), tick=True)
    c1 = f.counter(hall, 1)
    f.counter(hall, 2)
    for _ in range(4):
        ticket_issue(hall=hall, business_type=world["basic"])
    t = ticket_call_next(counter=c1, clerk=world["clerk_a"])
    handling_start(ticket=t, clerk=world["clerk_a"], counter=c1)  # basic business: 15 minutes from start
    ticket_issue(hall=hall, business_type=world["complex"], priority_kind="elderly")
    time_machine.move_to(timezone.now() + timedelta(minutes=20), tick=True)
    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=15)
    SHOTS.mkdir(parents=True, exist_ok=True)

    browser_login(page, live_server, "supervisor_a")
    page.set_viewport_size({"width": 1024, "height": 768})  # the greeter's tablet
    page.goto(f"{live_server.url}/floor/halls/{hall.pk}/greeter/")
    assert axe_serious(page, live_server) == []
    page.get_by_role("button", name="需陪同").first.click()  # htmx swap of the list
    page.wait_for_selector("#greeter-list .badge:has-text('需陪同')")
    page.screenshot(path=str(SHOTS / "greeter-1024x768.png"), full_page=True)

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/floor/halls/{hall.pk}/board/")
    assert page.locator(".board-counter.over").count() == 1
    assert axe_serious(page, live_server) == []
    page.screenshot(path=str(SHOTS / "board-1366x768.png"), full_page=True)

    for path in ("emergency", "announcements"):
        page.goto(f"{live_server.url}/floor/halls/{hall.pk}/{path}/")
        assert axe_serious(page, live_server) == []
