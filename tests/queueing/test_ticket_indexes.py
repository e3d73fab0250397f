"""The queue tables' indexes (docs/queueing.md, "Indexes") and the hot path's plans over them.

Two defects found by the benchmark, each pinned here:
- the call-next statement checked "is this counter busy?" with ``status = ANY(<bound array>)``: a generic plan cannot
  prove the partial unique index's predicate from a parameter, so it read every ticket the counter ever served;
- dropping the counter column's plain index (migration 0002) made Django drop every index on that column on
  PostgreSQL, the partial unique index that backs "one active ticket per counter" included.
"""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from queueing import services as s
from queueing.hotpath.sql import CALL_SQL, FINISH_SQL, START_SQL
from queueing.models import Ticket, TicketStatus

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL plans and index definitions"
)


def test_database_refuses_a_second_active_ticket_on_one_counter(floor):
    """The backstop behind call-next's claim: even a write that skips the services cannot give a counter two
    active tickets."""
    a = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    b = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    assert s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"]).pk == a.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=b.pk).update(status=TicketStatus.SERVING, counter=floor["c1"])
    b.refresh_from_db()
    assert b.status == TicketStatus.WAITING and b.counter_id is None


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def _columns(definition: str) -> str:
    return re.search(r"\((.*?)\)", definition.split(" USING ")[1])[1].replace('"', "")


@pg_only
@pytest.mark.django_db
def test_ticket_has_few_full_indexes():
    """Each status change writes an entry into every full index (non-HOT update): only these five."""
    full = sorted(_columns(d) for d in _indexes("queueing_ticket").values() if " WHERE " not in d)
    assert full == [
        "appointment_id",
        "hall_id, service_date, number",
        "hall_id, service_date, status",
        "id",
        "public_token",
    ]
    partial = {name for name, d in _indexes("queueing_ticket").items() if " WHERE " in d}
    assert partial == {
        "ticket_waiting_idx",
        "ticket_one_active_per_counter",
        "ticket_idempotency_unique",
        "ticket_customer_idx",
    }
    assert "UNIQUE" in _indexes("queueing_ticket")["ticket_one_active_per_counter"]


@pg_only
@pytest.mark.django_db
def test_ticket_event_is_indexed_by_ticket_and_by_hall_and_time():
    assert sorted(_columns(d) for d in _indexes("queueing_ticketevent").values()) == [
        "hall_id, at",
        "id",
        "ticket_id",
    ]


def _generic_plan(sql: str, params: dict) -> str:
    """EXPLAIN of the statement's generic plan (how the hot path runs it: prepared once, plan_cache_mode =
    force_generic_plan), with psycopg's named placeholders turned into $n."""
    import psycopg

    order: list[str] = []

    def number(m):
        if m[1] not in order:
            order.append(m[1])
        return f"${order.index(m[1]) + 1}"

    text = re.sub(r"%\((\w+)\)s", number, sql).replace("%%", "%")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE plan_probe AS {text}")
        try:
            args = [params[k] for k in order]
            explain = psycopg.ClientCursor(connection.connection).mogrify(
                f"EXPLAIN (COSTS OFF) EXECUTE plan_probe({', '.join(['%s'] * len(args))})", args
            )
            cursor.execute(explain)
            return "\n".join(r[0] for r in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE plan_probe")


@pg_only
def test_hot_statements_reach_a_counters_active_ticket_by_the_partial_index(floor):
    """call-next's busy check, start and finish find the counter's active ticket through
    ticket_one_active_per_counter or the primary key, never by walking the counter's or the hall's tickets."""
    now = timezone.now()
    counter = floor["c1"]
    common = {"counter": counter.pk, "hall": counter.hall_id, "now": now, "clerk": floor["clerk_a"].pk}
    common["active"] = ["called", "serving"]  # what the statement bound before the fix (unused now)
    call = _generic_plan(CALL_SQL, {**common, "date": timezone.localdate(now)})
    assert call.count("ticket_one_active_per_counter") == 2, call
    for sql, extra in (
        (START_SQL, {"warn": 0.8, "version": 1, "complex": 30, "basic": 15}),
        (FINISH_SQL, {"outcome": "done", "notes": "", "bts": [floor["basic"].pk], "n_bts": 1}),
    ):
        plan = _generic_plan(sql, {**common, **extra, "ticket": 1, "supervisor": False})
        ticket_scans = [
            line for line in plan.splitlines() if "Scan" in line and "on queueing_ticket " in line
        ]
        assert ticket_scans and all(
            "ticket_one_active_per_counter" in line or "queueing_ticket_pkey" in line for line in ticket_scans
        ), plan
    assert "Seq Scan on queueing_ticket " not in call


@pg_only
@pytest.mark.django_db
def test_the_event_log_keeps_one_database_foreign_key_the_ticket():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
            " AND a.attnum = ANY(c.conkey) WHERE c.conrelid = 'queueing_ticketevent'::regclass AND c.contype = 'f'"
        )
        assert [r[0] for r in cursor.fetchall()] == ["ticket_id"]


def test_a_deleted_counter_and_clerk_leave_the_event_log_consistent(floor):
    """Django keeps the keys the database no longer checks (on_delete=SET_NULL): no event points at a counter or
    user that is gone."""
    from queueing.models import TicketEvent

    s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    ticket = s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.DONE)
    called = TicketEvent.objects.get(ticket=ticket, kind="called")
    assert (called.counter_id, called.actor_id) == (floor["c1"].pk, floor["clerk_a"].pk)
    floor["c1"].delete()
    floor["clerk_a"].delete()
    called.refresh_from_db()
    assert (called.counter_id, called.actor_id) == (None, None)
