"""Recall, no-show, reactivation, suspension, BIZ-2.2 clocks, day close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lib.errors import Conflict, Forbidden, ServiceError
from queueing import services as s
from queueing.models import Ticket, TicketStatus


@pytest.fixture
def t0(time_machine):
    start = timezone.now().replace(hour=3, minute=0, second=0, microsecond=0)  # 11:00 Asia/Shanghai
    time_machine.move_to(start, tick=False)
    return start


def called(floor, bt="basic", counter="c1"):
    s.ticket_issue(hall=floor["hall"], business_type=floor[bt])
    return s.ticket_call_next(counter=floor[counter], clerk=floor["clerk_a"])


def test_recall_is_counted_and_the_one_after_the_limit_makes_a_no_show(
    floor, published, django_capture_on_commit_callbacks
):
    t = called(floor)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 4):
            assert s.ticket_recall(ticket=t, clerk=floor["clerk_a"]).recall_count == n
        t = s.ticket_recall(ticket=t, clerk=floor["clerk_a"])
    assert t.status == TicketStatus.NO_SHOW
    kinds = [k for _h, k, _d in published]
    assert kinds == ["ticket.recalled"] * 3 + ["ticket.no_show"]
    assert all(d["recall"] for _h, k, d in published if k == "ticket.recalled")


def test_reactivate_within_window_keeps_arrival(floor, t0, time_machine):
    t = called(floor)
    arrival = t.arrival_at
    s.ticket_no_show(ticket=t, clerk=floor["clerk_a"])
    time_machine.move_to(t0 + timedelta(minutes=29), tick=False)
    later = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    t = s.ticket_reactivate(ticket=Ticket.objects.get(pk=t.pk), actor=floor["greeter_a"])
    assert t.status == TicketStatus.WAITING and t.arrival_at == arrival
    assert s.ticket_call_next(counter=floor["c2"], clerk=floor["clerk_a"]).pk == t.pk
    assert later.status == TicketStatus.WAITING


def test_reactivate_after_window_is_refused(floor, t0, time_machine):
    t = called(floor)
    s.ticket_no_show(ticket=t, clerk=floor["clerk_a"])
    time_machine.move_to(t0 + timedelta(minutes=31), tick=False)
    with pytest.raises(ServiceError) as e:
        s.ticket_reactivate(ticket=Ticket.objects.get(pk=t.pk), actor=floor["greeter_a"])
    assert e.value.code == "reactivate_expired"
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.NO_SHOW


def test_basic_clock_runs_from_start_fifteen_minutes(floor, t0, time_machine):
    """BIZ-2.2: basic business within 15 minutes of start, amber at 80 %, red beyond."""
    t = s.handling_start(ticket=called(floor), clerk=floor["clerk_a"])
    assert t.limit_minutes == 15 and t.clock().state == "ok" and t.clock().seconds_left == 900
    time_machine.move_to(t0 + timedelta(minutes=12), tick=False)
    assert t.clock().state == "amber"
    time_machine.move_to(t0 + timedelta(minutes=15, seconds=1), tick=False)
    assert t.clock().state == "red" and t.clock().seconds_left == -1
    t = s.handling_finish(ticket=t, clerk=floor["clerk_a"], outcome="done", business_types=[floor["basic"]])
    assert t.within_limit is False


def test_complex_clock_starts_at_confirmation_thirty_minutes(floor, t0, time_machine):
    """BIZ-2.2: complex business core process within 30 minutes after the customer confirms the needs."""
    t = s.handling_start(ticket=called(floor, "complex"), clerk=floor["clerk_a"])
    assert t.clock().state == "none"
    time_machine.move_to(t0 + timedelta(minutes=20), tick=False)
    t = s.handling_confirm_needs(ticket=t, clerk=floor["clerk_a"])
    assert t.clock().seconds_left == 30 * 60
    time_machine.move_to(t0 + timedelta(minutes=49), tick=False)  # 29 min after confirmation, 49 after start
    assert t.clock().state == "amber"
    t = s.handling_finish(ticket=t, clerk=floor["clerk_a"], outcome="done", business_types=[floor["complex"]])
    assert t.within_limit is True


def test_suspension_pauses_the_clock_and_frees_the_counter(floor, t0, time_machine):
    t = s.handling_start(ticket=called(floor), clerk=floor["clerk_a"])
    time_machine.move_to(t0 + timedelta(minutes=5), tick=False)
    s.ticket_suspend(ticket=t, clerk=floor["clerk_a"])
    other = called(floor)  # the counter serves someone else meanwhile
    time_machine.move_to(t0 + timedelta(minutes=25), tick=False)
    with pytest.raises(Conflict):
        s.ticket_resume(ticket=Ticket.objects.get(pk=t.pk), clerk=floor["clerk_a"])
    s.ticket_no_show(ticket=other, clerk=floor["clerk_a"])
    t = s.ticket_resume(ticket=Ticket.objects.get(pk=t.pk), clerk=floor["clerk_a"])
    assert t.status == TicketStatus.SERVING and t.clock().seconds_left == 10 * 60


def test_finishing_another_counters_ticket_is_refused(floor):
    t = s.handling_start(ticket=called(floor), clerk=floor["clerk_a"])
    with pytest.raises(Forbidden):
        s.handling_finish(
            ticket=t,
            clerk=floor["clerk_a"],
            counter=floor["c2"],
            outcome="done",
            business_types=[floor["basic"]],
        )
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.SERVING


def test_pause_needs_reason_and_blocks_calls(floor):
    with pytest.raises(ServiceError):
        s.counter_pause(counter=floor["c1"], actor=floor["clerk_a"], reason=" ")
    s.counter_pause(counter=floor["c1"], actor=floor["clerk_a"], reason="系统故障")
    floor["c1"].refresh_from_db()
    assert floor["c1"].status == "paused" and floor["c1"].pause_reason == "系统故障"


def test_close_with_an_active_ticket_is_refused(floor):
    called(floor)
    with pytest.raises(Conflict):
        s.counter_close(counter=floor["c1"], actor=floor["clerk_a"])


def test_day_close_closes_waiting_with_reason_and_leaves_served(floor):
    done = called(floor)
    waiting = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    assert s.queue_day_close(hall=floor["hall"]) == 1
    waiting.refresh_from_db()
    assert waiting.status == TicketStatus.CLOSED and waiting.closed_reason
    assert Ticket.objects.get(pk=done.pk).status == TicketStatus.CALLED
    assert s.queue_day_close(hall=floor["hall"]) == 0


def test_missing_materials_list_names_each_item_and_how_to_obtain(floor):
    """BIZ-1.1: the 《补充材料清单》 names each missing item and how to obtain it."""
    t = s.handling_start(ticket=called(floor), clerk=floor["clerk_a"])
    mandatory = floor["basic"].materials.get(mandatory=True)
    t = s.handling_finish(
        ticket=t,
        clerk=floor["clerk_a"],
        outcome="materials_missing",
        business_types=[floor["basic"]],
        missing_material_ids=[mandatory.pk],
    )
    assert list(t.missing_materials.all()) == [mandatory]
    assert f"1. {mandatory.name}（{mandatory.how_to_obtain}）" in t.supplement_sms_text
    n = s.supplement_sms_send(ticket=t, actor=floor["clerk_a"], mobile="13800138000")
    assert mandatory.name in n.body and "13800138000" not in t.supplement_sms_text


def test_appointment_no_show_after_grace(floor, time_machine):
    start = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    a = s.appointment_book(
        hall=floor["hall"], business_type=floor["basic"], slot_start=start, mobile="13800138000"
    )
    time_machine.move_to(start + timedelta(minutes=14), tick=False)
    assert s.appointment_sweep() == 0
    time_machine.move_to(start + timedelta(minutes=16), tick=False)
    with pytest.raises(ServiceError) as e:
        s.appointment_check_in(hall=floor["hall"], code=a.code)
    assert e.value.code == "appointment_expired"
    assert s.appointment_sweep() == 1
