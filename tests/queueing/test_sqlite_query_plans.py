"""SQLite query plans of the queue operations (issue 14): no statement scans the ticket table or builds an
automatic index over it.

Either costs in proportion to every ticket ever issued. Both happened where the only index on a column is partial
and the statement's WHERE did not imply its condition term for term — "this counter's active ticket" with bound
statuses, ``counter_id = ? AND status IN (?, ?)`` against ``ticket_one_active_per_counter``
(``queueing.models.InLiterals``); which of the two SQLite picks depends on its statistics. The statements are explained as they ran, with their bound parameters (the
captured SQL of Django's debug cursor has them substituted, which hides the difference)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from integrations.models import TokenKind, token_create
from queueing import services
from tests import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner"),
]

API = "/api/v1/queue"


@pytest.fixture
def executed():
    """Every SELECT run meanwhile, with its parameters as bound."""
    statements: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def _ticket_scans(statements) -> list[str]:
    """The statements whose plan reads the whole ticket table (by name or by the alias of a subquery)."""
    found = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if '"queueing_ticket"' not in sql:
                continue
            aliases = re.findall(r'"queueing_ticket" "?(U\d+)"?', sql)
            scans = {f"SCAN {name}" for name in ("queueing_ticket", *aliases)}
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[-1] for row in cursor.fetchall()]
            if any("AUTOMATIC" in step or " ".join(step.split()[:2]) in scans for step in plan):
                found.append(f"{sql}\n  {plan}")
    return found


def test_the_four_queue_operations_never_scan_the_ticket_table(floor, executed):
    """BIZ-4 call-next's pick and its "counter holds no active ticket" check use ticket_one_active_per_counter."""
    kiosk = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.KIOSK, name='k')[1]}"
    )
    clerk = Client()
    clerk.force_login(floor["clerk_a"])
    counter = floor["c1"].pk
    for _ in range(2):
        r = kiosk.post(f"{API}/kiosk/tickets", {"business_type_id": floor["basic"].pk}, "application/json")
        assert r.status_code == 201, r.content
    r = clerk.post(f"{API}/counters/{counter}/call-next")
    assert r.status_code == 200, r.content
    tid = r.json()["id"]
    assert (
        clerk.post(f"{API}/counters/{counter}/call-next").status_code == 409
    )  # busy: the EXISTS off the pick
    assert clerk.post(f"{API}/counters/{counter}/tickets/{tid}/start").status_code == 200
    body = {"outcome": "done", "business_type_ids": [floor["basic"].pk]}
    r = clerk.post(f"{API}/counters/{counter}/tickets/{tid}/finish", body, "application/json")
    assert r.status_code == 200, r.content
    assert executed
    assert _ticket_scans(executed) == []


def test_closing_a_counter_and_the_wait_estimate_never_scan_the_ticket_table(floor, executed):
    """The counter's "still serving" check on close and the estimate's busy counters use the same index."""
    clerk = floor["clerk_a"]
    services.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    services.ticket_call_next(counter=floor["c2"], clerk=clerk)
    services.counter_close(counter=f.counter(floor["hall"], 5, serves_all=True), actor=clerk)
    assert _ticket_scans(executed) == []
