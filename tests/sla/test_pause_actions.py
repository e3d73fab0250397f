"""Pausing and resuming a clock from the case pages and the API (BIZ-2.1: a complex online question may wait on the
customer; CMP-2.1 / BIZ-2.1 promises to the customer never pause)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from consultations import services as consultations
from integrations.models import TokenKind, token_create
from sla.models import Clock, ClockStatus, EventKind, Target
from sla.services import clock_pause, clock_start
from tests.conftest import login
from tests.sla.conftest import T0

pytestmark = pytest.mark.django_db

REASON = "等待客户提供账单截图"


@pytest.fixture
def consultation(world, time_machine):
    """An online question taken as complex at T0: its 48 h solution clock runs and may pause."""
    time_machine.move_to(T0 - timedelta(minutes=30), tick=False)
    token, _raw = token_create(hall=world["hall_a"], kind=TokenKind.APP, name="APP")
    c = consultations.consultation_record(
        hall=world["hall_a"],
        channel="",
        customer_name="刘洋",
        contact_phone="18800188006",
        question="账单里的国际漫游费用是怎么算的?",
        actor=None,
        token=token,
    )
    time_machine.move_to(T0, tick=False)
    consultations.consultation_respond(
        consultation=c, actor=world["supervisor_a"], answer="已收到,正在核实", complex_=True
    )
    return c


@pytest.fixture
def clock(consultation):
    return Clock.objects.for_subject(consultation).get(target=Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION)


@pytest.fixture
def promise(world):
    """A callback promise to the customer: never pauses."""
    return clock_start(
        subject=world["hall_b"], target=Target.CONSULTATION_CALLBACK, hall=world["hall_a"], started_at=T0
    )


def _api(clock, action):
    return f"/api/v1/sla/clocks/{clock.pk}/{action}"


def _page(clock, action):
    return reverse(f"sla:clock_{action}", args=[clock.pk])


def _snapshot(clock):
    clock.refresh_from_db()
    return (clock.status, clock.deadline, clock.paused_at, clock.paused_seconds, clock.events.count())


# --- API -----------------------------------------------------------------------------------------------------


def test_api_pause_then_resume_extends_the_deadline_by_the_paused_time(client, world, clock, time_machine):
    """BIZ-2.1: waiting 2 h on the customer's documents moves the 48 h deadline out by 2 h; both steps logged."""
    deadline = clock.deadline
    login(client, world["supervisor_a"])
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    r = client.post(_api(clock, "pause"), {"reason": REASON}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == ClockStatus.PAUSED
    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED and clock.paused_at == T0 + timedelta(hours=1)
    paused = clock.events.get(kind=EventKind.PAUSED)
    assert paused.actor == world["supervisor_a"] and paused.reason == REASON

    time_machine.move_to(T0 + timedelta(hours=3), tick=False)
    client.logout()  # a fresh session: the idle timeout is shorter than the pause
    login(client, world["supervisor_a"])
    r = client.post(_api(clock, "resume"), content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == ClockStatus.RUNNING and body["paused_seconds"] == 2 * 3600
    clock.refresh_from_db()
    assert clock.deadline == deadline + timedelta(hours=2)
    resumed = clock.events.get(kind=EventKind.RESUMED)
    assert resumed.actor == world["supervisor_a"] and resumed.data["paused_seconds_added"] == 2 * 3600
    assert [e["kind"] for e in body["events"]][-2:] == [EventKind.PAUSED, EventKind.RESUMED]


def test_api_promise_to_the_customer_is_not_pausable_and_nothing_changes(client, world, promise):
    before = _snapshot(promise)
    login(client, world["supervisor_a"])
    r = client.post(_api(promise, "pause"), {"reason": REASON}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "not_pausable" and r.json()["message_en"]
    assert _snapshot(promise) == before


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_api_pause_without_a_reason_is_refused(client, world, clock, body):
    before = _snapshot(clock)
    login(client, world["supervisor_a"])
    r = client.post(_api(clock, "pause"), body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "reason_required" and r.json()["field"] == "reason"
    assert _snapshot(clock) == before


def test_api_resume_of_a_running_clock_is_a_conflict(client, world, clock):
    login(client, world["supervisor_a"])
    r = client.post(_api(clock, "resume"), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "not_paused"


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_api_clerk_without_the_right_gets_403(client, world, clock, action):
    before = _snapshot(clock)
    login(client, world["clerk_a"])
    r = client.post(_api(clock, action), {"reason": REASON}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert _snapshot(clock) == before


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_api_other_hall_gets_404(client, world, clock, action):
    before = _snapshot(clock)
    login(client, world["clerk_b"])
    r = client.post(_api(clock, action), {"reason": REASON}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    missing = client.post(
        "/api/v1/sla/clocks/999999/pause", {"reason": REASON}, content_type="application/json"
    )
    assert missing.status_code == 404
    assert _snapshot(clock) == before


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_api_get_is_405_and_anonymous_401(client, world, clock, action):
    login(client, world["supervisor_a"])
    assert client.get(_api(clock, action)).status_code == 405
    client.logout()
    r = client.post(_api(clock, action), {"reason": REASON}, content_type="application/json")
    assert r.status_code == 401


def test_api_operations_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    for action in ("pause", "resume"):
        op = schema["paths"][f"/api/v1/sla/clocks/{{clock_id}}/{action}"]["post"]
        assert " / " in op["summary"]
        assert {"200", "400", "401", "403", "404", "409", "422"} <= set(op["responses"])


# --- pages ---------------------------------------------------------------------------------------------------


def test_page_pause_redirects_back_and_resume_extends_the_deadline(
    client, world, consultation, clock, time_machine
):
    deadline = clock.deadline
    detail = consultation.get_absolute_url()
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    login(client, world["supervisor_a"])
    page = client.get(detail).content.decode()
    assert _page(clock, "pause") in page and _page(clock, "resume") not in page

    r = client.post(_page(clock, "pause"), {"reason": REASON, "next": detail})
    assert r.status_code == 302 and r["Location"] == detail
    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED
    assert clock.events.get(kind=EventKind.PAUSED).reason == REASON
    page = client.get(detail).content.decode()
    assert _page(clock, "resume") in page and _page(clock, "pause") not in page

    time_machine.move_to(T0 + timedelta(hours=4), tick=False)
    client.logout()  # a fresh session: the idle timeout is shorter than the pause
    login(client, world["supervisor_a"])
    r = client.post(_page(clock, "resume"), {"next": detail})
    assert r.status_code == 302 and r["Location"] == detail
    clock.refresh_from_db()
    assert clock.status == ClockStatus.RUNNING and clock.deadline == deadline + timedelta(hours=3)
    assert clock.events.get(kind=EventKind.RESUMED).actor == world["supervisor_a"]


def test_page_foreign_next_falls_back_to_the_case(client, world, consultation, clock):
    login(client, world["supervisor_a"])
    r = client.post(_page(clock, "pause"), {"reason": REASON, "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == consultation.get_absolute_url()


def test_page_pause_without_a_reason_shows_the_error_next_to_the_field(client, world, clock):
    before = _snapshot(clock)
    login(client, world["supervisor_a"])
    r = client.post(_page(clock, "pause"), {"reason": "  ", "next": "/"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "field-error" in html and "请填写暂停原因" in html
    assert _snapshot(clock) == before


def test_page_not_pausable_is_shown_as_a_message_and_nothing_changes(client, world, promise):
    before = _snapshot(promise)
    login(client, world["supervisor_a"])
    r = client.post(_page(promise, "pause"), {"reason": REASON, "next": "/"})
    assert r.status_code == 400
    assert "不允许暂停" in r.content.decode()
    assert _snapshot(promise) == before


def test_page_rights_other_hall_and_get(client, world, clock):
    before = _snapshot(clock)
    login(client, world["clerk_a"])
    assert client.post(_page(clock, "pause"), {"reason": REASON}).status_code == 403
    login(client, world["clerk_b"])
    assert client.post(_page(clock, "pause"), {"reason": REASON}).status_code == 404
    assert client.post(_page(clock, "resume")).status_code == 404
    login(client, world["supervisor_a"])
    assert client.get(_page(clock, "pause")).status_code == 405
    assert client.get(_page(clock, "resume")).status_code == 405
    assert _snapshot(clock) == before


def test_pages_offer_no_pause_where_the_policy_forbids_it(client, world, consultation, clock):
    """A reader without the right sees no action; complaint clocks are promises: no pause form next to them."""
    login(client, world["clerk_a"])
    assert _page(clock, "pause") not in client.get(consultation.get_absolute_url()).content.decode()

    from complaints.models import Channel
    from complaints.services import complaint_intake

    complaint = complaint_intake(
        hall=world["hall_a"],
        channel=Channel.ONSITE,
        complainant_name="张桂兰",
        contact_phone="13800138001",
        demand="上月办理的套餐变更一直没生效,还被重复扣费了30元,要求退还",
        business_type=world["basic"],
        actor=world["clerk_a"],
    )
    assert Clock.objects.for_subject(complaint).open().exists()
    login(client, world["supervisor_a"])
    page = client.get(complaint.get_absolute_url())
    assert page.status_code == 200 and "/pause" not in page.content.decode()


def test_paused_clock_offers_resume_only_to_handlers(client, world, consultation, clock, time_machine):
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    clock_pause(clock=clock, actor=world["supervisor_a"], reason=REASON)
    login(client, world["manager_a"])
    assert _page(clock, "resume") in client.get(consultation.get_absolute_url()).content.decode()
