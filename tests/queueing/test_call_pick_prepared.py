"""Call-next's pick compiled once per shape (issue 14, ``lib.prepared``): for every shape a counter can be in — serves
all types or not, a low counter or not, priority first or not (and the row lock on PostgreSQL) — the statement
and parameters equal a fresh compilation of the pick's queryset, and its columns are the layout ``_pick`` reads
(BIZ-4's calling order itself is tested by tests/queueing/test_calling_rules.py through ticket_call_next)."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import BusinessType
from lib import rows
from queueing.models import Ticket
from queueing.services import ticket_call_next, ticket_issue
from queueing.services.calling import _PICK, _pick_queryset
from tests import factories as f

pytestmark = pytest.mark.django_db

SHAPES = list(product([True, False], [True, False], [True, False], [connection.vendor == "postgresql"]))


@pytest.mark.parametrize("shape", SHAPES)
def test_the_prepared_pick_equals_a_fresh_compilation_for_every_shape(shape):
    now = timezone.now()
    for hall_id, counter_id, back in [(1, 2, 0), (12, 5, 3), (3, 3, 900)]:
        values = {
            "hall_id": hall_id,
            "counter_id": counter_id,
            "today": (now - timedelta(back)).date(),
            "now": now,
        }
        sql, params = _pick_queryset(*shape, **values).query.get_compiler(connection=connection).as_sql()
        assert _PICK.statement(shape, **values) == (sql, list(params))
        table = Ticket._meta.db_table
        assert sql.startswith(f"SELECT {rows.select_list(Ticket, table)}, CASE ")
        assert (
            f'END AS "call_tier", {rows.select_list(BusinessType, BusinessType._meta.db_table)} FROM ' in sql
        )


def test_call_next_builds_the_pick_once_per_shape(world, monkeypatch):
    first, second = (f.counter(world["hall_a"], n) for n in (1, 2))
    issued = [ticket_issue(hall=world["hall_a"], business_type=world["basic"]) for _ in range(2)]
    called = ticket_call_next(counter=first, clerk=world["clerk_a"])
    assert called.pk == issued[0].pk and called.business_type == world["basic"] and called.call_tier == 3

    def not_again(*args, **kwargs):
        raise AssertionError("the pick's queryset was built again for a shape already compiled")

    monkeypatch.setattr(_PICK, "_build", not_again)
    with CaptureQueriesContext(connection) as ctx:
        called = ticket_call_next(counter=second, clerk=world["clerk_a"])
    assert called.pk == issued[1].pk and called.business_type.name == world["basic"].name
    assert len([q for q in ctx.captured_queries if 'AS "call_tier"' in q["sql"]]) == 1
