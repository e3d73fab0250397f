"""On SQLite every write of Django's path takes the process's write turn (tingwu/db/sqlite3, issue 14): a write made
outside a transaction competes for SQLite's lock in the busy handler's polling instead, and under load waited
hundreds of milliseconds (the finish hook's walk-in invitation, measured by bench/sqlite_floor_bench.py: finish p99
252 ms with 8 desks, 642 ms with 32). Real commits (``transaction=True``): the finish hook runs after the finish's
commit, as in production."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from evaluations.models import EvaluationInvitation
from queueing.services import handling_finish, handling_start, ticket_call_next, ticket_issue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write turn"),
]

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def test_every_write_of_a_queue_cycle_holds_the_write_turn(floor):
    writes = []

    def record(execute, sql, params, many, context):
        if WRITE.match(sql):
            writes.append((sql.split("(")[0][:60], connection._write_turn))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
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
    assert EvaluationInvitation.objects.filter(ticket_id=ticket.pk).exists()  # the finish hook ran
    assert any("evaluations_evaluationinvitation" in sql for sql, _held in writes)
    assert [sql for sql, held in writes if not held] == []
