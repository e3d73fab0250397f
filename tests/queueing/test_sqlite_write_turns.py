"""On SQLite every write of Django's path takes the process's write turn (tingwu/db/sqlite3, issue 14): a write made
outside a transaction competes for SQLite's lock in the busy handler's polling instead, and under load waited
hundreds of milliseconds (the finish hook's walk-in invitation, measured by bench/sqlite_floor_bench.py: finish p99
252 ms with 8 desks, 642 ms with 32), so such a write takes the turn for its one statement. Real commits (``transaction=True``): the finish hook runs after the finish's
commit, as in production."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from evaluations.models import EvaluationInvitation
from queueing.services import handling_finish, handling_start, ticket_call_next, ticket_issue
from tingwu.db.sqlite3.base import write_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write turn"),
]

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def test_every_write_of_a_queue_cycle_holds_the_write_turn(floor):
    """Observed where SQLite runs each statement (its trace callback): the process's write turn is held."""
    turn = write_lock(str(connection.settings_dict["NAME"]))
    writes = []

    def record(sql):
        if WRITE.match(sql):
            writes.append((sql.split("(")[0][:60], turn.locked()))

    connection.ensure_connection()
    connection.connection.set_trace_callback(record)
    try:
        ticket = ticket_issue(hall=floor["hall"], business_type=floor["basic"])
        called = ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
        assert called.pk == ticket.pk
        started = handling_start(ticket=called, clerk=floor["clerk_a"], counter=floor["c1"])
        handling_finish(
            ticket=started,
            clerk=floor["clerk_a"],
            counter=floor["c1"],
            outcome="done",
            business_types=[floor["basic"]],
        )
    finally:
        connection.connection.set_trace_callback(None)
    assert EvaluationInvitation.objects.filter(ticket_id=ticket.pk).exists()  # the finish hook ran
    assert any("evaluations_evaluationinvitation" in sql for sql, _held in writes)
    assert [sql for sql, held in writes if not held] == []


def test_a_write_outside_a_transaction_takes_the_turn_for_its_statement_only(floor):
    turn = write_lock(str(connection.settings_dict["NAME"]))
    seen = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(lambda sql: seen.append((sql[:6], turn.locked())))
    try:
        assert connection.get_autocommit()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE halls_counter SET number = number WHERE id = %s", [floor["c1"].pk])
            assert not turn.locked()  # given back at once
            cursor.execute("SELECT 1")
    finally:
        connection.connection.set_trace_callback(None)
    assert seen == [("UPDATE", True), ("SELECT", False)]
