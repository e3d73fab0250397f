"""Query-count guards (issue 14): pages and the SLA sweep cost a bounded number of queries, whatever the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla.models import Target
from sla.services import clock_start, sla_sweep
from tests import factories as f
from tests.sla.conftest import T0
from tests.sla.test_clocks import EXPECTED_HOURS

pytestmark = pytest.mark.django_db


def _sweep_queries(world, n: int, time_machine, *, hours: float = 0.75) -> tuple[int, dict]:
    """Queries of one sweep pass over ``n`` clocks that fall due together, ``hours`` × the target after their start."""
    time_machine.move_to(T0, tick=False)
    target = Target.COMPLAINT_FIRST_CONTACT
    for _ in range(n):
        clock_start(subject=f.hall(), target=target, hall=world["hall_a"])
    time_machine.move_to(T0 + timedelta(hours=EXPECTED_HOURS[target] * hours), tick=False)
    with CaptureQueriesContext(connection) as ctx:
        result = sla_sweep()
    return len(ctx.captured_queries), result


# One pass: the due ids, the locked clocks, the subjects' labels, the recipients per hall, one INSERT of events and
# one of notices (each in a savepoint), one UPDATE of the clocks.
SWEEP_PASS_QUERIES = 20


def test_the_sla_sweep_costs_a_constant_number_of_queries_per_pass(world, time_machine):
    """CMP-2.1, issue 14: 14 queries per due clock (3,517 for 251 clocks), then 10 — now the same few per pass
    whatever the number of due clocks."""
    few, done = _sweep_queries(world, 2, time_machine)
    many, done_many = _sweep_queries(world, 8, time_machine)
    assert done["warned"] == 2 and done_many["warned"] == 8
    assert many <= few, f"{few} queries for 2 due clocks, {many} for 8"
    assert many <= SWEEP_PASS_QUERIES


def test_a_breach_that_climbs_the_whole_ladder_at_once_costs_the_same_few_queries(world, time_machine):
    """CMP-2.1, issue 14: a clock found long overdue records its breach and all three rungs (four events, three
    notices) in the same pass — ≈ 25 queries per clock before."""
    few, done = _sweep_queries(world, 2, time_machine, hours=10)
    many, done_many = _sweep_queries(world, 8, time_machine, hours=10)
    assert done_many["breached"] == 8 and done_many["escalated"] == 24, done_many
    assert many <= few, f"{few} queries for 2 clocks, {many} for 8"
    assert many <= SWEEP_PASS_QUERIES


# --- pages: the same number of queries for a quiet day and a busy one --------------------------------------------


def _busy_day(world, clerks: int, served_each: int, waiting: int) -> dict:
    """``clerks`` clerks at their own counters, each having served ``served_each`` tickets; ``waiting`` waiting."""
    from queueing import services as s
    from staff.models import HallRole

    hall, bt = world["hall_a"], world["basic"]
    counters = []
    for i in range(clerks):
        clerk = world["clerk_a"] if i == 0 else f.user(hall_roles=[(hall, HallRole.CLERK)])
        counter = f.counter(hall, 20 + i + 10 * clerks, serves_all=True)
        counters.append((counter, clerk))
    for _ in range(served_each):
        for counter, clerk in counters:
            s.ticket_issue(hall=hall, business_type=bt)
            t = s.ticket_call_next(counter=counter, clerk=clerk)
            s.handling_start(ticket=t, clerk=clerk)
            s.handling_finish(ticket=t, clerk=clerk, outcome="done", business_types=[bt])
    for _ in range(waiting):
        s.ticket_issue(hall=hall, business_type=bt)
    return {"counter": counters[0][0]}


PAGES = [
    ("console", "clerk_a", lambda w, d: reverse("queueing:console", args=[d["counter"].pk])),
    ("greeter", "greeter_a", lambda w, d: reverse("floor:greeter", args=[w["hall_a"].pk])),
    ("board", "manager_a", lambda w, d: reverse("floor:board", args=[w["hall_a"].pk])),
    ("records", "manager_a", lambda w, d: reverse("queueing:records") + f"?hall={w['hall_a'].pk}"),
    ("export", "manager_a", lambda w, d: reverse("queueing:records_export") + f"?hall={w['hall_a'].pk}"),
]


def _count(client, url) -> int:
    client.get(url)  # warm the session, caches and memos
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        b"".join(r.streaming_content) if r.streaming else r.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "persona", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_queries_do_not_grow_with_the_days_tickets_or_clerks(client, world, name, persona, url):
    """Console, greeter, board, records and export: a day of 2 clerks × 1 ticket and one of 5 clerks × 4 tickets
    (+ 12 waiting) cost the same queries — the records page used to run one aggregate per clerk."""
    client.force_login(world[persona])
    quiet = _count(client, url(world, _busy_day(world, clerks=2, served_each=1, waiting=1)))
    busy = _count(client, url(world, _busy_day(world, clerks=5, served_each=4, waiting=12)))
    assert busy <= quiet, f"{name}: {quiet} queries on a quiet day, {busy} on a busy one"
    assert busy <= 30, f"{name}: {busy} queries"


# --- pages at 1M tickets: every ticket query of a page names the hall (bench/pages_bench.py) ----------------------

HALL_INDEXED = [p for p in PAGES if p[0] in ("console", "greeter", "board", "records")]


@pytest.mark.parametrize(("name", "persona", "url"), HALL_INDEXED, ids=[p[0] for p in HALL_INDEXED])
def test_page_ticket_queries_name_the_hall_the_indexes_lead_with(client, world, name, persona, url):
    """BIZ-2.2 console, board (and the greeter, records): the console's current-ticket query filtered by counter, day
    and status only, so PostgreSQL read the whole ``ticket_hall_day_status`` index (3 ms at 1M tickets, growing with
    the table); the board's active tickets went by ``counter__hall_id`` and SQLite scanned every ticket (≈ 1 s at 1M).
    Each query on the ticket table must name the hall that the composite indexes lead with."""
    client.force_login(world[persona])
    page = url(world, _busy_day(world, clerks=2, served_each=1, waiting=2))
    client.get(page)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(page)
        assert r.status_code == 200
        b"".join(r.streaming_content) if r.streaming else r.content
    ticket_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "queueing_ticket"' in q["sql"]]
    assert ticket_queries, name
    for sql in ticket_queries:
        assert '"queueing_ticket"."hall_id" =' in sql or '"queueing_ticket"."hall_id" IN' in sql, sql


def test_finish_reads_the_ticket_once_for_its_evaluation_invitation(world):
    """SUP-1.2: the finish hook read the ticket, then invitation_create read it again (17 statements per finish on
    the Django path); now the invitation costs its existence check, one ticket read and the insert."""
    from queueing import services as s
    from queueing.signals import ticket_finished

    hall, bt, clerk = world["hall_a"], world["basic"], world["clerk_a"]
    counter = f.counter(hall, 30, serves_all=True)
    s.ticket_issue(hall=hall, business_type=bt)
    t = s.ticket_call_next(counter=counter, clerk=clerk)
    s.handling_start(ticket=t, clerk=clerk)
    s.handling_finish(ticket=t, clerk=clerk, outcome="done", business_types=[bt])
    from evaluations.models import EvaluationInvitation

    EvaluationInvitation.objects.filter(ticket_id=t.pk).delete()
    with CaptureQueriesContext(connection) as ctx:
        ticket_finished.send(sender=t.__class__, ticket_id=t.pk)
    assert EvaluationInvitation.objects.filter(ticket_id=t.pk).exists()
    reads = [
        q
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "queueing_ticket"' in q["sql"]
    ]
    assert len(reads) == 1, [q["sql"][:120] for q in reads]
