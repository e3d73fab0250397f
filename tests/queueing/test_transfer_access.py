"""Transfers (issue 3 §2): a ticket being handled at a counter is moved only by its clerk or a supervisor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from queueing import services as s
from queueing.models import Ticket, TicketStatus
from staff.models import HallRole
from tests import factories as f


@pytest.fixture
def busy_c1(floor):
    """Counter 1 is serving a ticket called by clerk_a."""
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    s.handling_start(ticket=t, clerk=floor["clerk_a"])
    other = f.user("clerk_a2", hall_roles=[(floor["hall"], HallRole.CLERK)])
    return t, other


def test_clerk_cannot_transfer_the_ticket_another_counter_is_serving_from_the_console(client, floor, busy_c1):
    t, other = busy_c1
    client.force_login(other)
    r = client.post(
        reverse("queueing:console_action", args=[floor["c2"].pk, "transfer"]),
        {"ticket_id": t.pk, "business_type": floor["complex"].pk},
    )
    assert r.status_code == 403
    t.refresh_from_db()
    assert t.status == TicketStatus.SERVING and t.counter_id == floor["c1"].pk
    assert t.business_type_id == floor["basic"].pk


def test_clerk_cannot_transfer_the_ticket_another_counter_is_serving_over_the_api(client, floor, busy_c1):
    t, other = busy_c1
    client.force_login(other)
    r = client.post(
        f"/api/v1/queue/tickets/{t.pk}/transfer",
        {"business_type_id": floor["complex"].pk},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "not_your_ticket"
    t.refresh_from_db()
    assert t.status == TicketStatus.SERVING and t.business_type_id == floor["basic"].pk


def test_serving_clerk_and_supervisor_may_transfer_an_active_ticket(floor, busy_c1):
    t, _other = busy_c1
    s.ticket_transfer(ticket=t, actor=floor["clerk_a"], business_type=floor["complex"])
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.WAITING
    s.ticket_call_next(counter=floor["c3"], clerk=floor["clerk_a"])
    t.refresh_from_db()
    s.ticket_transfer(ticket=t, actor=floor["supervisor_a"], business_type=floor["basic"])
    assert Ticket.objects.get(pk=t.pk).business_type_id == floor["basic"].pk


def test_greeter_may_transfer_a_waiting_ticket_but_not_an_active_one(floor, busy_c1):
    t, _other = busy_c1
    from lib.errors import Forbidden

    with pytest.raises(Forbidden):
        s.ticket_transfer(ticket=t, actor=floor["greeter_a"], business_type=floor["complex"])
    waiting = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    s.ticket_transfer(ticket=waiting, actor=floor["greeter_a"], business_type=floor["complex"])
    assert Ticket.objects.get(pk=waiting.pk).business_type_id == floor["complex"].pk
