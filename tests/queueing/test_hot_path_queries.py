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


def test_issue_costs_five_queries(hot):
    """ENV-2.2 issue: token, sequence (UPDATE … RETURNING), people ahead, ticket insert, event insert — the
    standard, the hall's businesses, its open counters and the recent service time come from per-process memos."""
    _issue(hot)
    r, queries = _issue(hot)
    assert r.status_code == 201
    assert len(queries) == 5, "\n".join(queries)
    assert not any("standard_standard" in q for q in queries)
    assert not any('"halls_counter"' in q for q in queries)


def test_issue_sees_a_counter_opened_in_this_process_at_once(hot):
    """The open-counter memo of the wait estimate is forgotten when a counter opens: the next estimate counts it."""
    from queueing import services
    from queueing.selectors import ESTIMATE_INPUT_TTL, _open_counters

    assert ESTIMATE_INPUT_TTL <= 5
    r, _q = _issue(hot)  # fills the memo
    assert r.status_code == 201
    assert hot["c_paused"].pk not in {c[0] for c in _open_counters(hot["hall"].pk)}
    services.counter_open(counter=hot["c_paused"], actor=hot["manager_a"])
    assert hot["c_paused"].pk in {c[0] for c in _open_counters(hot["hall"].pk)}


def test_a_withdrawn_role_stops_working_at_once_in_this_process(hot):
    """The per-process role memo of staff.access is dropped when an assignment changes (signals)."""
    from staff.models import HallAssignment

    for _ in range(2):
        _issue(hot)
    r, _q = _post(hot["clerk"], f"{API}/counters/{hot['c1'].pk}/call-next")
    assert r.status_code in (200, 204)
    HallAssignment.objects.filter(user=hot["clerk_a"]).delete()  # queryset delete: post_delete per row
    r, _q = _post(hot["clerk"], f"{API}/counters/{hot['c2'].pk}/call-next")
    assert r.status_code == 404, r.content


def test_call_start_finish_query_budget(hot):
    """Steady state of one counter (its queue-state row exists): call-next 5, start 3, finish 4 queries (the
    clerk's roles come from the per-process memo of staff.access; the staff profile, read on /api/ too since the
    forced password change is enforced there, issue 10 §5, rides on the user's row: staff.backends, issue 14; start
    and finish read the counter with the ticket; call-next's counter and finish's handled businesses come from
    per-process memos, issue 14)."""
    for _ in range(3):
        _issue(hot)
    _serve_one(hot, hot["c1"])  # first use creates the counter's state row
    call, start, finish = _serve_one(hot, hot["c1"])
    assert len(call) == 5, "\n".join(call)
    assert len(start) == 3, "\n".join(start)
    assert len(finish) == 4, "\n".join(finish)
    assert not any(q.startswith('SELECT "halls_counter"') for q in call), "\n".join(call)
    assert not any(q.startswith('SELECT "catalog_businesstype"') for q in finish), "\n".join(finish)
    assert not any("staff_hallassignment" in q for q in call + start + finish)
    assert not any("standard_standard" in q for q in call + start + finish)
