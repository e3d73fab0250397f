"""Real threads against the real database (both SQLite and PostgreSQL): no duplicate, no lost ticket, gapless."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from queueing import services as s
from queueing.models import Ticket, TicketStatus
from tests import factories as f

THREADS = 16

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def run_threads(n, target):
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def wrapper(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_sixteen_threads_issuing_get_gapless_unique_numbers(world):
    hall, bt = world["hall_a"], world["basic"]
    per_thread = 5
    errors = run_threads(
        THREADS, lambda i: [s.ticket_issue(hall=hall, business_type=bt) for _ in range(per_thread)]
    )
    assert errors == []
    seqs = sorted(Ticket.objects.filter(hall=hall).values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * per_thread + 1))
    numbers = list(Ticket.objects.filter(hall=hall).values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)


def test_double_tap_with_same_key_issues_one_ticket(world):
    hall, bt = world["hall_a"], world["basic"]
    got: list[int] = []
    errors = run_threads(
        8, lambda i: got.append(s.ticket_issue(hall=hall, business_type=bt, idempotency_key="tap-1").pk)
    )
    assert errors == []
    assert len(set(got)) == 1 and Ticket.objects.count() == 1
    assert Ticket.objects.get().seq == 1


def test_sixteen_counters_racing_call_next_never_share_a_ticket(world):
    hall, bt = world["hall_a"], world["basic"]
    counters = [f.counter(hall, n) for n in range(1, THREADS + 1)]
    clerks = [world["clerk_a"]] * THREADS
    total = 80
    for _ in range(total):
        s.ticket_issue(hall=hall, business_type=bt)
    claimed: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(i):
        while True:
            t = s.ticket_call_next(counter=counters[i], clerk=clerks[i])
            if t is None:
                return
            with lock:
                claimed.append((t.pk, i))
            s.handling_start(ticket=t, clerk=clerks[i])
            s.handling_finish(ticket=t, clerk=clerks[i], outcome="done", business_types=[bt])

    errors = run_threads(THREADS, work)
    assert errors == []
    ids = [pk for pk, _ in claimed]
    assert len(ids) == len(set(ids)) == total  # no duplicate, none lost
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == total
    assert sorted(Ticket.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert len({i for _, i in claimed}) > 1  # the work really was shared


def test_one_counter_hammered_by_many_threads_still_has_one_active_ticket(world):
    hall, bt = world["hall_a"], world["basic"]
    counter = f.counter(hall, 1)
    for _ in range(10):
        s.ticket_issue(hall=hall, business_type=bt)
    from lib.errors import Conflict

    results: list = []

    def work(i):
        try:
            results.append(s.ticket_call_next(counter=counter, clerk=world["clerk_a"]))
        except Conflict as exc:
            results.append(exc.code)

    assert run_threads(THREADS, work) == []
    assert Ticket.objects.filter(counter=counter, status__in=["called", "serving"]).count() == 1
    assert sum(1 for r in results if isinstance(r, Ticket)) == 1
