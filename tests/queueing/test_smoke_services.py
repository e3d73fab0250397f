from __future__ import annotations

from queueing import services as s
from queueing.models import TicketStatus


def test_issue_call_start_finish_roundtrip(floor, django_capture_on_commit_callbacks, published):
    hall = floor["hall"]
    with django_capture_on_commit_callbacks(execute=True):
        t = s.ticket_issue(hall=hall, business_type=floor["basic"])
    assert t.number == "A001"
    with django_capture_on_commit_callbacks(execute=True):
        called = s.ticket_call_next(counter=floor["c2"], clerk=floor["clerk_a"])
    assert called.pk == t.pk and called.status == TicketStatus.CALLED
    s.handling_start(ticket=called, clerk=floor["clerk_a"])
    done = s.handling_finish(
        ticket=called, clerk=floor["clerk_a"], outcome="done", business_types=[floor["basic"]]
    )
    assert done.status == TicketStatus.DONE and done.within_limit is True
    assert [k for _h, k, _d in published] == ["ticket.issued", "ticket.called"]


def test_selectors_describe_the_floor(floor):
    from queueing.selectors import queue_snapshot, recent_calls, ticket_position

    hall = floor["hall"]
    a = s.ticket_issue(hall=hall, business_type=floor["basic"])
    b = s.ticket_issue(hall=hall, business_type=floor["basic"])
    s.ticket_call_next(counter=floor["c2"], clerk=floor["clerk_a"])
    snap = queue_snapshot(hall=hall)
    assert snap["waiting_total"] == 1
    c2 = next(c for c in snap["counters"] if c["number"] == 2)
    assert c2["ticket"]["number"] == a.number
    b.refresh_from_db()
    assert ticket_position(ticket=b)["ahead"] == 0
    assert recent_calls(hall=hall)[0]["number"] == a.number
