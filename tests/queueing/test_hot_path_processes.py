"""The queue hot path across web processes: a credential change made anywhere reaches every process at once
(PostgreSQL NOTIFY right after the commit, one LISTEN connection per event loop — queueing/hotpath/identity.py and
db.py). Another process is played by a database connection of its own."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from queueing import services
from queueing.models import Ticket, TicketStatus
from staff.models import HallAssignment, HallRole
from tests import factories as f
from tests.queueing.asgi_client import (  # noqa: F401 - cold_hot_path is a fixture
    act,
    cold_hot_path,
    hot_expected,
    run_on_loop,
    said,
    staff_headers,
    warm_session,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cold_hot_path")]

needs_pg = pytest.mark.skipif(
    not hot_expected() or connection.vendor != "postgresql",
    reason="PostgreSQL's NOTIFY / LISTEN between processes (SQLite: test_hot_path_credentials.py, version triggers)",
)


def _wait_for(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _listening() -> bool:
    from queueing.hotpath import db

    async def probe():
        return db.listening()

    return run_on_loop(probe())


@needs_pg
def test_a_change_made_in_another_web_process_reaches_this_one_at_once(hall):
    """Another process revokes a role: its commit NOTIFYs every process. Here, the next request with the same
    headers goes to Django at once — well within QUEUE_HOT_PATH_AUTH_TTL — and Django refuses it."""
    import psycopg
    from django.db import connection

    from queueing.hotpath import identity

    clerk = f.user("clerk_x", hall_roles=[(hall["hall_a"], HallRole.CLERK)])
    for _ in range(3):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    headers = staff_headers(clerk)
    warm_session(headers, hall["c1"].pk)
    assert _wait_for(_listening), "the hot path's LISTEN connection did not come up"

    # "Another process": its own database connection changes the role and commits, with the NOTIFY its forget()
    # sends (no signal of this process fires).
    before = identity.generation()
    with psycopg.connect(**connection.get_connection_params(), autocommit=False) as other:
        other.execute("UPDATE staff_hallassignment SET role = 'greeter' WHERE user_id = %s", [clerk.pk])
        other.execute("SELECT pg_notify(%s, '')", [identity.CHANNEL])
        other.commit()
    assert _wait_for(lambda: identity.generation() != before), "the NOTIFY was not heard"

    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    assert said(act(headers, hall["c1"].pk, serving.pk, "finish", finish)) == (403, "forbidden", False)
    assert Ticket.objects.get(pk=serving.pk).status == TicketStatus.SERVING


@needs_pg
def test_every_change_here_is_announced_on_commit_and_never_for_a_rollback(hall):
    import psycopg
    from django.db import connection, transaction

    from queueing.hotpath import identity

    clerk = f.user("clerk_x", hall_roles=[(hall["hall_a"], HallRole.CLERK)])
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(f"LISTEN {identity.CHANNEL}")
        assignment = HallAssignment.objects.get(user=clerk)
        with pytest.raises(RuntimeError), transaction.atomic():
            assignment.role = HallRole.GREETER
            assignment.save()
            raise RuntimeError("rolled back")
        assert list(other.notifies(timeout=0.3, stop_after=1)) == []
        with transaction.atomic():
            assignment.role = HallRole.GREETER
            assignment.save()
        heard = list(other.notifies(timeout=5, stop_after=1))
        # The database trigger (queueing.0004) and Django's on_commit announce may both arrive: at least one.
        assert heard and {n.channel for n in heard} == {identity.CHANNEL}


@needs_pg
def test_without_its_listening_connection_a_process_trusts_a_credential_briefly(hall, monkeypatch):
    """The listener gone (a database restart): everything remembered is dropped, and until it listens again an
    accepted credential is reused for FALLBACK_TTL only."""
    from django.db import connection

    from queueing.hotpath import identity

    for _ in range(4):
        services.ticket_issue(hall=hall["hall_a"], business_type=hall["basic"])
    headers = staff_headers(hall["clerk_a"])
    warm_session(headers, hall["c1"].pk)
    assert _wait_for(_listening)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            ["tingwu hot path listener"],
        )
    assert _wait_for(lambda: not _listening())
    monkeypatch.setattr(identity, "FALLBACK_TTL", 0.0)
    serving = Ticket.objects.get(status=TicketStatus.SERVING)
    finish = {"outcome": "done", "business_type_ids": [hall["basic"].pk]}
    assert said(act(headers, hall["c1"].pk, serving.pk, "finish", finish), "outcome") == (200, "done", False)


def test_a_verdict_django_reached_before_a_change_is_not_remembered_after_it(hall):
    """Django authenticated a request, a credential changed (forget), then the request finished and called
    remember(): that verdict may be stale, so it is not kept."""
    from django.test import RequestFactory

    from queueing.hotpath import identity

    token, kiosk = hall["token"], hall["kiosk"]
    request = RequestFactory().post("/", headers=kiosk)
    request.auth = token
    request.scope = {identity.SCOPE_KEY: identity.generation()}
    identity.forget_here()  # the change, while the request was being served
    identity.remember(request)
    assert identity.lookup({k.lower(): v for k, v in kiosk.items()}, kind="token") is None
    request.scope = {identity.SCOPE_KEY: identity.generation()}
    identity.remember(request)
    entry = identity.lookup({k.lower(): v for k, v in kiosk.items()}, kind="token")
    assert isinstance(entry, identity.Identity) and entry.token_hall_id == hall["hall_a"].pk


@needs_pg
def test_many_sessions_ended_in_one_transaction_are_announced_once(hall):
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    for user in (hall["clerk_a"], f.user("clerk_x"), f.user("clerk_y")):
        staff_headers(user)
    assert Session.objects.count() >= 3
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            Session.objects.all().delete()
    assert sum("pg_notify" in q["sql"] for q in ctx.captured_queries) == 1
