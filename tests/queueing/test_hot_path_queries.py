"""Query budget of the hot path driven by bench/queue_bench.py: issue (kiosk token), call-next, start, finish.

Counted: the queries the queue code and the API's auth/access make. Not counted: transaction control (BEGIN,
SAVEPOINT, …) and the session/user rows of the staff session (SessionMiddleware, AuthenticationMiddleware and the
idle-timeout write of staff.middleware), which do not depend on the queue. docs/performance.md lists each query.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integrations.models import TokenKind, token_create

API = "/api/v1/queue"
NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT")


def _queries(ctx) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(NOT_COUNTED)
        and "django_session" not in q["sql"]
        and '"auth_user"' not in q["sql"]
    ]


def _post(client, url, body=None, **extra):
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(url, body or {}, content_type="application/json", **extra)
    return r, _queries(ctx)


@pytest.fixture
def hot(floor):
    kiosk = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(hall=floor['hall'], kind=TokenKind.KIOSK, name='k')[1]}"
    )
    clerk = Client()
    clerk.force_login(floor["clerk_a"])
    return {**floor, "kiosk": kiosk, "clerk": clerk}


def _issue(hot):
    return _post(hot["kiosk"], f"{API}/kiosk/tickets", {"business_type_id": hot["basic"].pk})


def _serve_one(hot, counter):
    """call-next → start → finish; returns the three query lists."""
    r, call = _post(hot["clerk"], f"{API}/counters/{counter.pk}/call-next")
    assert r.status_code == 200, r.content
    tid = r.json()["id"]
    r, start = _post(hot["clerk"], f"{API}/counters/{counter.pk}/tickets/{tid}/start")
    assert r.status_code == 200, r.content
    body = {"outcome": "done", "business_type_ids": [hot["basic"].pk]}
    r, finish = _post(hot["clerk"], f"{API}/counters/{counter.pk}/tickets/{tid}/finish", body)
    assert r.status_code == 200, r.content
    return call, start, finish


def test_issue_costs_nine_queries(hot):
    """ENV-2.2 issue: token, business, sequence (UPDATE … RETURNING), estimate (counters, their businesses, people
    ahead, recent service times), ticket insert, event insert — the standard comes from the per-process memo."""
    _issue(hot)
    r, queries = _issue(hot)
    assert r.status_code == 201
    assert len(queries) == 9, "\n".join(queries)
    assert not any("standard_standard" in q for q in queries)


def test_call_start_finish_query_budget(hot):
    """Steady state of one counter (its queue-state row exists): call-next 9, start 6, finish 8 queries."""
    for _ in range(3):
        _issue(hot)
    _serve_one(hot, hot["c1"])  # first use creates the counter's state row
    call, start, finish = _serve_one(hot, hot["c1"])
    assert len(call) == 9, "\n".join(call)
    assert len(start) == 6, "\n".join(start)
    assert len(finish) == 8, "\n".join(finish)
    assert not any("standard_standard" in q for q in call + start + finish)
