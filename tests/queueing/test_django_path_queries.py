"""Query-count guards of Django's own request path for the four queue operations (issue 14), counted as
bench/django_path_inprocess.py --queries lists them: every statement of the request — the session row, the user and
staff profile rows, the device token, the API's scoped look-ups, the service and the finish hook's evaluation
invitation (run after the commit) — except transaction control. docs/performance.md ("Django's own path for the
four queue operations, cut") names each one; test_hot_path_queries.py budgets the queue code's share alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integrations.models import TokenKind, token_create

API = "/api/v1/queue"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT")


@pytest.fixture
def desk(floor):
    kiosk = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.KIOSK, name='k')[1]}"
    )
    clerk = Client()
    clerk.force_login(floor["clerk_a"])
    return {**floor, "kiosk": kiosk, "clerk": clerk}


def _cycle(desk, django_capture_on_commit_callbacks) -> dict[str, list[str]]:
    """issue → call-next → start → finish at counter 1; the statements of each request."""
    counter = desk["c1"].pk
    finish = {"outcome": "done", "business_type_ids": [desk["basic"].pk]}
    steps = [
        ("issue", desk["kiosk"], f"{API}/kiosk/tickets", {"business_type_id": desk["basic"].pk}, 201),
        ("call_next", desk["clerk"], f"{API}/counters/{counter}/call-next", {}, 200),
        ("start", desk["clerk"], f"{API}/counters/{counter}/tickets/{{id}}/start", {}, 200),
        ("finish", desk["clerk"], f"{API}/counters/{counter}/tickets/{{id}}/finish", finish, 200),
    ]
    out, tid = {}, None
    for name, client, url, body, status in steps:
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            r = client.post(url.format(id=tid), body, content_type="application/json")
        assert r.status_code == status, r.content
        if name == "call_next":
            tid = r.json()["id"]
        out[name] = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    return out


@pytest.fixture
def steady(desk, django_capture_on_commit_callbacks):
    """The second cycle: the counter's queue-state row, the session's activity stamp and tracking row, the memos
    (standard, businesses, roles) are in place after the first."""
    _cycle(desk, django_capture_on_commit_callbacks)
    return _cycle(desk, django_capture_on_commit_callbacks)


def test_issue_on_djangos_path_costs_five_statements(steady):
    """ENV-2.2: the device token, the day's sequence, the people ahead, the ticket, its event."""
    assert len(steady["issue"]) == 5, "\n".join(steady["issue"])


def test_call_next_on_djangos_path_costs_seven_statements(steady):
    """BIZ-4: session, user with its staff profile (the forced password change; one row: staff.backends, issue 14),
    the counter's locked state with the counter's row (the scope check's counter comes from the memo: issue 14),
    the pick, the claim, the ratio counter, the event."""
    assert len(steady["call_next"]) == 7, "\n".join(steady["call_next"])
    assert not any(q.startswith('SELECT "halls_counter"') for q in steady["call_next"])
    assert not any(q.startswith('SELECT "staff_staffprofile"') for q in steady["call_next"])


def test_start_on_djangos_path_costs_five_statements(steady):
    """BIZ-2.2: session, user with its staff profile, the ticket with its counter (one look-up for both: issue 14),
    the conditional UPDATE, the event."""
    queries = steady["start"]
    assert len(queries) == 5, "\n".join(queries)
    assert not any(q.startswith('SELECT "halls_counter"') for q in queries), "\n".join(queries)


def test_finish_on_djangos_path_costs_eight_statements(steady):
    """BIZ-2.2 / SUP-1.2: session, user with its staff profile, the ticket with its counter (the handled businesses
    come from the memo of the hall's businesses: issue 14), the conditional UPDATE, the handled-business rows, the
    event; after the commit the evaluation invitation reads the ticket (a caller's instance may be stale, so it is
    read back; with its hall only, a walk-in has no customer or appointment to join: issue 14) and inserts itself,
    without looking for an existing invitation first (the unique ticket is the check; issue 14)."""
    queries = steady["finish"]
    assert len(queries) == 8, "\n".join(queries)
    assert not any(q.startswith('SELECT "catalog_businesstype"') for q in queries), "\n".join(queries)
    assert not any('FROM "evaluations_evaluationinvitation"' in q for q in queries), "\n".join(queries)
    assert sum(q.startswith('INSERT INTO "evaluations_evaluationinvitation"') for q in queries) == 1
    assert not any('"privacy_customer"' in q or '"queueing_appointment"' in q for q in queries), "\n".join(
        queries
    )
