"""Calling rules (docs/queueing.md): green channel, appointment window, priority ratio, arrival order, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from halls.models import CounterStatus
from lib.errors import Conflict
from queueing import services as s
from queueing.models import Appointment, CounterState, Ticket, TicketStatus
from tests import factories as f


def issue(floor, bt="basic", **kw):
    return s.ticket_issue(hall=floor["hall"], business_type=floor[bt], **kw)


def call(floor, counter="c1", clerk="clerk_a"):
    t = s.ticket_call_next(counter=floor[counter], clerk=floor[clerk])
    if t is not None:  # free the counter for the next call in the sequence
        Ticket.objects.filter(pk=t.pk).update(status=TicketStatus.DONE)
    return t


def test_arrival_order_among_normal_tickets(floor):
    a, b, c = issue(floor), issue(floor), issue(floor)
    assert [call(floor).pk for _ in range(3)] == [a.pk, b.pk, c.pk]


def test_green_channel_is_called_first(floor):
    """BIZ-1.2: green channel ahead of everyone, even priority customers."""
    normal = issue(floor)
    prio = issue(floor, priority_kind="elderly")
    green = issue(floor, green_channel=True, actor=floor["greeter_a"])
    assert [call(floor).pk for _ in range(3)] == [green.pk, prio.pk, normal.pk]


def test_appointment_precedence_only_inside_its_slot(floor, time_machine):
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    normal = issue(floor)
    inside = issue(floor)
    outside = issue(floor)
    Ticket.objects.filter(pk=inside.pk).update(
        appt_window_start=now - timedelta(minutes=5), appt_window_end=now + timedelta(minutes=25)
    )
    Ticket.objects.filter(pk=outside.pk).update(
        appt_window_start=now + timedelta(minutes=30), appt_window_end=now + timedelta(minutes=60)
    )
    assert [call(floor).pk for _ in range(3)] == [inside.pk, normal.pk, outside.pk]


def test_default_profile_calls_waiting_priority_customers_first(floor):
    """BIZ-4 (issue 10 §4): with the default counter profile elderly, disabled and pregnant customers do not wait
    behind normal ones — every waiting priority ticket is called before any normal ticket."""
    assert floor["c1"].calling_profile == "priority_first"
    n = [issue(floor) for _ in range(3)]
    p = [issue(floor, priority_kind="elderly"), issue(floor, priority_kind="pregnant")]
    order = [call(floor).pk for _ in range(5)]
    assert order == [p[0].pk, p[1].pk, n[0].pk, n[1].pk, n[2].pk]


def test_priority_ratio_one_priority_then_two_normal_when_both_wait(floor):
    """BIZ-4 with the counter's work profile "ratio" (2): P N N P N N — a hall may still choose it."""
    floor["c1"].calling_profile = "ratio"
    floor["c1"].priority_ratio_normal = 2
    floor["c1"].save()
    n = [issue(floor) for _ in range(4)]
    p = [issue(floor, priority_kind="elderly"), issue(floor, priority_kind="pregnant")]
    order = [call(floor).pk for _ in range(6)]
    assert order == [p[0].pk, n[0].pk, n[1].pk, p[1].pk, n[2].pk, n[3].pk]


def test_ratio_zero_means_priority_always_first(floor):
    floor["c1"].calling_profile = "ratio"
    floor["c1"].priority_ratio_normal = 0
    floor["c1"].save()
    n = issue(floor)
    p1, p2 = issue(floor, priority_kind="disabled"), issue(floor, priority_kind="elderly")
    assert [call(floor).pk for _ in range(3)] == [p1.pk, p2.pk, n.pk]


def test_priority_waiting_alone_is_called_even_mid_cycle(floor):
    CounterState.objects.create(counter=floor["c1"], hall=floor["hall"], normal_since_priority=0)
    p = issue(floor, priority_kind="elderly")
    assert call(floor).pk == p.pk


def test_counter_calls_only_business_it_serves(floor):
    complex_ = issue(floor, "complex")
    basic = issue(floor, "basic")
    assert call(floor, "c2").pk == basic.pk
    assert call(floor, "c2") is None
    assert call(floor, "c3").pk == complex_.pk


def test_serves_all_counter_calls_any_business(floor):
    complex_ = issue(floor, "complex")
    basic = issue(floor, "basic")
    assert [call(floor, "c1").pk, call(floor, "c1").pk] == [complex_.pk, basic.pk]


def test_transfer_to_a_counter_targets_only_that_counter(floor):
    t = issue(floor)
    first = s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    s.ticket_transfer(ticket=first, actor=floor["clerk_a"], counter=floor["c3"])
    assert call(floor, "c2") is None  # c2 serves basic, but the ticket is meant for counter 3
    assert call(floor, "c3").pk == t.pk


def test_transfer_keeps_arrival_and_priority(floor):
    early = issue(floor, priority_kind="pregnant")
    later = issue(floor, "complex")
    arrival = early.arrival_at
    called = s.ticket_call_next(counter=floor["c2"], clerk=floor["clerk_a"])
    moved = s.ticket_transfer(ticket=called, actor=floor["clerk_a"], business_type=floor["complex"])
    assert moved.arrival_at == arrival and moved.priority_kind == "pregnant" and moved.number == early.number
    assert moved.status == TicketStatus.WAITING and moved.business_type == floor["complex"]
    assert call(floor, "c3").pk == early.pk  # ahead of the complex ticket that arrived later
    assert call(floor, "c3").pk == later.pk


def test_paused_or_closed_counter_cannot_call(floor):
    issue(floor)
    with pytest.raises(Conflict) as e:
        s.ticket_call_next(counter=floor["c_paused"], clerk=floor["clerk_a"])
    assert e.value.code == "counter_not_open"
    s.counter_close(counter=floor["c2"], actor=floor["clerk_a"])
    with pytest.raises(Conflict):
        s.ticket_call_next(counter=floor["c2"], clerk=floor["clerk_a"])
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 1


def test_counter_holds_one_active_ticket(floor):
    issue(floor), issue(floor)
    s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    with pytest.raises(Conflict) as e:
        s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    assert e.value.code == "counter_busy"
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 1


def test_yesterdays_waiting_tickets_are_not_called(floor, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=1), tick=False)
    issue(floor)
    time_machine.move_to(timezone.now() + timedelta(days=1), tick=False)
    assert call(floor) is None


def test_other_halls_tickets_are_never_called(floor):
    s.ticket_issue(hall=floor["hall_b"], business_type=floor["basic"])
    assert call(floor) is None


def test_clerk_of_another_hall_cannot_call(floor):
    from lib.errors import NotFound

    with pytest.raises(NotFound):
        s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_b"])


def test_checked_in_appointment_gets_slot_window(floor, time_machine):
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    time_machine.move_to(start - timedelta(hours=2), tick=False)
    appt = s.appointment_book(
        hall=floor["hall"], business_type=floor["basic"], slot_start=start, mobile="13800138000"
    )
    time_machine.move_to(start - timedelta(minutes=10), tick=False)
    normal = issue(floor)
    t = s.appointment_check_in(hall=floor["hall"], mobile="13800138000")
    assert t.appointment_id == appt.pk and Appointment.objects.get(pk=appt.pk).status == "checked_in"
    assert call(floor).pk == normal.pk  # before the slot: arrival order
    other = issue(floor)
    t2 = s.appointment_check_in(
        hall=floor["hall"],
        code=s.appointment_book(
            hall=floor["hall"], business_type=floor["basic"], slot_start=start, mobile="13900139000"
        ).code,
    )
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    assert call(floor).pk == t.pk and call(floor).pk == t2.pk and call(floor).pk == other.pk


def test_counter_state_rows_are_per_counter(floor):
    f.counter(floor["hall"], 20, status=CounterStatus.OPEN)
    issue(floor)
    call(floor)
    assert CounterState.objects.filter(counter=floor["c1"]).count() == 1


def test_wheelchair_ticket_waits_for_an_open_low_counter(floor):
    """BIZ-4 / issue 10 §6: a ticket flagged for a wheelchair user is called to the low counter while one is open."""
    low = f.counter(floor["hall"], 5, serves_all=True)
    low.is_accessible = True
    low.save()
    wheel = issue(floor, needs_low_counter=True)
    normal = issue(floor)
    assert call(floor, "c1").pk == normal.pk  # counter 1 is not low: it skips the wheelchair user
    assert call(floor, "c1") is None
    floor["low"] = low
    assert call(floor, "low").pk == wheel.pk


def test_wheelchair_ticket_goes_to_any_counter_when_no_low_counter_is_open(floor):
    low = f.counter(floor["hall"], 5, serves_all=True, status=CounterStatus.PAUSED)
    low.is_accessible = True
    low.save()
    wheel = issue(floor, needs_low_counter=True)
    assert call(floor, "c1").pk == wheel.pk


def test_greeter_and_kiosk_flag_a_wheelchair_user(client, floor):
    from django.urls import reverse

    t = issue(floor)
    client.force_login(floor["greeter_a"])
    url = reverse("floor:greeter_flag", args=[floor["hall"].pk, t.pk])
    client.post(url, {"flag": "low_counter", "value": "on"})
    t.refresh_from_db()
    assert t.needs_low_counter
