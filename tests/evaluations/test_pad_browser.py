"""SUP-1.2 end to end in Chromium: finish a ticket on the console → the counter's rating pad lights up → a 不满意
with a reason → the duty supervisor is notified and a follow-up is open."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from evaluations import services as es
from evaluations.models import Evaluation, FollowUp
from floor import bus
from notify.models import Notification
from queueing.services import handling_start, ticket_call_next, ticket_issue
from staff.models import DutyShift
from tests import factories as f
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def own_bus():
    previous = bus.set_backend(bus.InProcessBackend(maxlen=50))
    yield
    bus.set_backend(previous)


def test_sup_1_2_console_finish_lights_the_pad_and_a_low_score_notifies(
    page, browser, live_server, world, own_bus
):
    hall = world["hall_a"]
    c1 = f.counter(hall, 1)
    now = timezone.now()
    DutyShift.objects.create(
        hall=hall,
        user=world["supervisor_a"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    _pad, raw = es.rating_pad_create(counter=c1, actor=world["manager_a"])
    t = ticket_issue(hall=hall, business_type=world["basic"])
    t = ticket_call_next(counter=c1, clerk=world["clerk_a"])
    handling_start(ticket=t, clerk=world["clerk_a"], counter=c1)
    SHOTS.mkdir(parents=True, exist_ok=True)

    pad_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    pad = pad_context.new_page()
    pad.set_default_timeout(20_000)
    pad.goto(f"{live_server.url}/evaluations/pad/pair/")
    pad.fill("#pair-token", raw)
    pad.click("main button[type=submit]")
    pad.wait_for_selector("[data-pad-state=idle]")
    assert world["clerk_a"].staff_profile.full_name in pad.inner_text("#pad-panel")

    browser_login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/queue/console/{c1.pk}/")
    for box in page.query_selector_all("#finish-form input[name=brought]"):
        box.check()
    page.click("#finish-form button[type=submit]")

    pad.wait_for_selector("[data-pad-state=lit]")
    assert t.number in pad.inner_text("#pad-panel")
    pad.screenshot(path=str(SHOTS / "rating-pad-lit-1280x800.png"))
    pad.click(".pad-level-2")
    pad.wait_for_selector(".pad-reasons:not([hidden])")
    pad.click("text=等候时间长")
    pad.screenshot(path=str(SHOTS / "rating-pad-reasons-1280x800.png"))
    pad.click(".pad-submit")
    pad.wait_for_selector("[data-pad-state=thanks]")
    pad.screenshot(path=str(SHOTS / "rating-pad-thanks-1280x800.png"))

    e = Evaluation.objects.get(ticket=t)
    assert e.level == 2 and e.channel == "pad" and [r.code for r in e.reasons.all()] == ["long_wait"]
    assert e.clerk == world["clerk_a"]
    n = Notification.objects.get(template="evaluation_low_score")
    assert n.options["mentioned_list"] == ["supervisor_a"]
    assert FollowUp.objects.filter(evaluation=e, status="open").exists()
    pad_context.close()
