"""The wait estimate's count of people ahead, compiled once per shape (issue 14, ``lib.prepared``): for every shape —
issued or already waiting, each calling tier, counters serving some types (each length) or all — the statement and
parameters equal a fresh compilation of ``ahead_queryset``; and the count it gives is the ORM's own count of the
same queryset, on real tickets, with the rule's answers (who is ahead of whom); the hot path's twin gives the same
answers in tests/queueing/test_hot_path_http.py's scripted day."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import BusinessCategory
from queueing.models import Ticket
from queueing.selectors import _AHEAD, _tier, ahead_queryset, estimate_wait, open_counters_for
from queueing.services import ticket_issue
from tests import factories as f

pytestmark = pytest.mark.django_db

SHAPES = list(product([True, False], range(4), [True, False]))


def _values(now, *, hall_id=3, pk=77, competing=(4, 9)):
    return {
        "hall_id": hall_id,
        "today": now.date(),
        "category": BusinessCategory.values[0],
        "arrival_at": now - timedelta(minutes=5),
        "ticket_pk": pk,
        "now": now,
        "competing": list(competing),
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_the_prepared_count_equals_a_fresh_compilation_for_every_shape(shape):
    now = timezone.now()
    for competing in ([5], [2, 8], [1, 3, 6, 11]):
        for hall_id, pk in ((1, 10), (14, 2)):
            values = _values(now, hall_id=hall_id, pk=pk, competing=competing)
            sql, params = ahead_queryset(*shape, **values).query.get_compiler(connection=connection).as_sql()
            assert _AHEAD.statement(shape, **values) == (sql, list(params))


def test_the_estimate_counts_what_the_orm_counts(world):
    hall = world["hall_a"]
    f.counter(hall, 1)
    issued = [ticket_issue(hall=hall, business_type=world["basic"]) for _ in range(4)]
    issued.append(ticket_issue(hall=hall, business_type=world["basic"], priority_kind="elderly"))
    now = timezone.now()
    ahead = {}
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in issued]).select_related("business_type"):
        ahead[ticket.pk] = estimate_wait(ticket=ticket, now=now)["ahead"]
        _serving, competing = open_counters_for(ticket)
        shape = (True, _tier(ticket, now), competing is not None)
        values = _values(now, hall_id=hall.pk, pk=ticket.pk, competing=sorted(competing or ()))
        values.update(
            today=ticket.service_date, category=ticket.business_type.category, arrival_at=ticket.arrival_at
        )
        counted = list(ahead_queryset(*shape, **values))  # the same queryset, compiled and run by the ORM
        assert ahead[ticket.pk] == (counted[0]["n"] if counted else 0)
    # The elderly customer is ahead of the normal ones; the first normal ticket has only them ahead, the fourth the
    # three issued before it as well.
    assert [ahead[t.pk] for t in issued[:4]] == [1, 2, 3, 4]


def test_customers_of_a_business_no_serving_counter_serves_are_not_ahead(world):
    """A counter that serves only some business types: the customers of the others do not wait for it."""
    hall = world["hall_a"]
    f.counter(hall, 1, serves_all=False, business_types=[world["basic"]])
    elsewhere = f.business_type("ELSEWHERE", halls=[hall])  # the same category, served by no open counter
    for _ in range(3):
        ticket_issue(hall=hall, business_type=elsewhere)
    mine = ticket_issue(hall=hall, business_type=world["basic"])
    ticket_issue(hall=hall, business_type=world["basic"])
    now = timezone.now()
    assert estimate_wait(ticket=Ticket.objects.get(pk=mine.pk), now=now)["ahead"] == 0
    later = Ticket.objects.filter(hall=hall, business_type=world["basic"]).exclude(pk=mine.pk).get()
    assert estimate_wait(ticket=later, now=now)["ahead"] == 1
