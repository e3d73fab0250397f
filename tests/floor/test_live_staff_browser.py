"""Issue 10 §2 (STF-3.2, ENV-3): emergency mode and announcements reach staff screens that are already open — the
counter console and the greeter tablet follow the hall's event stream instead of waiting for their 30 s poll."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from floor.models import IncidentKind
from floor.services import announcement_publish, incident_declare
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.mark.parametrize("persona, path", [("clerk_a", "console"), ("greeter_a", "greeter")])
def test_emergency_mode_and_announcement_reach_an_open_staff_screen(
    page, live_server, world, fresh_bus, persona, path
):
    hall = world["hall_a"]
    counter = f.counter(hall, 1)
    url = f"/queue/console/{counter.pk}/" if path == "console" else f"/floor/halls/{hall.pk}/greeter/"
    browser_login(page, live_server, persona)
    page.goto(live_server.url + url)
    banner = page.locator("#floor-staff-banner")
    assert "应急模式" not in banner.inner_text()
    page.wait_for_timeout(500)  # the page has subscribed
    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=15)
    # well before the 30 s poll: the stream delivers the change
    page.wait_for_selector("#floor-staff-banner .notice-red", timeout=5_000)
    announcement_publish(user=world["manager_a"], hall=hall, kind="normal", title="停电检修", body="今晚闭厅")
    page.wait_for_selector("#floor-staff-banner :text('停电检修')", timeout=5_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"live-{path}-emergency.png"))


def test_a_change_during_a_refresh_is_not_lost(page, live_server, world, fresh_bus):
    """STF-3.2 / ENV-3: a change arrives while the banner's refresh for the previous one is still on its way (the
    banner swaps itself); it must still reach the screen. A CI run under load lost it: the trigger went to the
    element being replaced. The first refresh's answer is held back here so the second change lands inside it."""
    hall = world["hall_a"]
    counter = f.counter(hall, 1)
    browser_login(page, live_server, "clerk_a")
    page.goto(live_server.url + f"/queue/console/{counter.pk}/")
    page.wait_for_timeout(500)  # the page has subscribed
    held = []

    def hold_first(route):
        if held:
            route.continue_()
        else:
            held.append(
                (route, route.fetch())
            )  # the server has answered: emergency mode, no announcement yet

    page.route("**/staff-banner*", hold_first)
    incident_declare(user=world["supervisor_a"], hall=hall, kind=IncidentKind.SYSTEM_FAILURE, minutes=15)
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the stream did not ask for a refresh"
    announcement_publish(user=world["manager_a"], hall=hall, kind="normal", title="停电检修", body="今晚闭厅")
    page.wait_for_timeout(700)  # the announcement's event reaches the page while the first answer is held
    route, response = held[0]
    route.fulfill(response=response)
    page.wait_for_selector("#floor-staff-banner .notice-red", timeout=5_000)
    page.wait_for_selector("#floor-staff-banner :text('停电检修')", timeout=5_000)
