"""Call-next takes its counter from a per-process memo for the scope check (issue 14); it calls by the counter's
row as read under the counter's lock. A change no signal announced here (another process, a bulk UPDATE) must not
let a paused counter call, or a counter call what it no longer serves."""

from __future__ import annotations

import pytest
from django.test import Client

from halls.models import Counter, CounterStatus
from queueing import services
from queueing.hotpath import ops

pytestmark = pytest.mark.django_db

API = "/api/v1/queue"


@pytest.fixture
def clerk(floor):
    client = Client()
    client.force_login(floor["clerk_a"])
    return client


def _call(client, counter):
    return client.post(f"{API}/counters/{counter.pk}/call-next")


def test_a_counter_paused_behind_the_memo_cannot_call(floor, clerk):
    """BIZ-4: a paused counter cannot call, even while the memo still holds it open."""
    services.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    assert ops.counter_row(floor["c1"].pk).status == CounterStatus.OPEN  # memoised
    Counter.objects.filter(pk=floor["c1"].pk).update(status=CounterStatus.PAUSED)  # no signal: the memo stays
    r = _call(clerk, floor["c1"])
    assert r.status_code == 409 and r.json()["code"] == "counter_not_open"


def test_a_counter_narrowed_behind_the_memo_calls_only_what_it_serves_now(floor, clerk):
    """BIZ-4: counter 1 stops serving all business while the memo still says it does: it calls by its row now."""
    services.ticket_issue(hall=floor["hall"], business_type=floor["complex"])
    assert ops.counter_row(floor["c1"].pk).serves_all
    Counter.objects.filter(pk=floor["c1"].pk).update(serves_all=False)  # and serves no business type
    assert _call(clerk, floor["c1"]).status_code == 204


def test_a_clerk_of_another_hall_still_gets_not_found(floor):
    """The memo answers the scope check as the database would: other hall's counter → 404."""
    other = Client()
    other.force_login(floor["clerk_b"])
    ops.counter_row(floor["c1"].pk)
    r = _call(other, floor["c1"])
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_an_unknown_counter_is_not_found(floor, clerk):
    r = clerk.post(f"{API}/counters/999999/call-next")
    assert r.status_code == 404
