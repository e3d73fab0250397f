"""``lib.prepared.Prepared``: the SQL and parameters it gives for new values equal a fresh compilation; it refuses
a queryset whose SQL text or parameters depend on an input in a way it cannot restate (issue 14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Q, Value
from django.utils import timezone

from lib.prepared import Many, NotPreparable, Prepared
from queueing.models import Ticket

pytestmark = pytest.mark.django_db


def _fresh(qs):
    sql, params = qs.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _waiting(targeted_only, *, hall_id, counter_id, today, now):
    qs = Ticket.objects.filter(hall_id=hall_id, service_date=today, issued_at__lte=now, status="waiting")
    if targeted_only:
        qs = qs.filter(target_counter_id=counter_id)
    else:
        qs = qs.filter(Q(target_counter_id=counter_id) | Q(target_counter__isnull=True))
    return qs.order_by("arrival_at")[:1]


INPUTS = {"hall_id": int, "counter_id": int, "today": date, "now": datetime}


@pytest.mark.parametrize("targeted_only", [True, False])
def test_the_statement_for_new_values_equals_a_fresh_compilation(targeted_only):
    prepared = Prepared(_waiting, inputs=INPUTS)
    now = timezone.now()
    for hall_id, counter_id, days in [(1, 1, 0), (7, 3, 1), (1, 7, 400)]:
        values = {
            "hall_id": hall_id,
            "counter_id": counter_id,
            "today": now.date(),
            "now": now - timedelta(days),
        }
        assert prepared.statement((targeted_only,), **values) == _fresh(_waiting(targeted_only, **values))


def test_an_input_inside_an_expression_is_refused():
    def build(*, hall_id):
        return Ticket.objects.filter(hall_id=hall_id).annotate(next_hall=Value(hall_id + 1))

    with pytest.raises(NotPreparable):
        Prepared(build, inputs={"hall_id": int}).statement((), hall_id=1)


def test_sql_text_that_depends_on_an_input_is_refused():
    def build(*, hall_id):
        return Ticket.objects.filter(pk__in=list(range(abs(hall_id) % 7)))

    with pytest.raises(NotPreparable):
        Prepared(build, inputs={"hall_id": int}).statement((), hall_id=1)


def _in_types(some, *, hall_id, types):
    qs = Ticket.objects.filter(hall_id=hall_id)
    return qs.filter(business_type_id__in=types) if some else qs


@pytest.mark.parametrize("types", [[3], [1, 9], [4, 5, 6, 7, 8]])
def test_a_many_input_binds_each_element_and_each_length_compiles_once(types):
    prepared = Prepared(_in_types, inputs={"hall_id": int, "types": Many(int)})
    for hall_id in (1, 42):
        values = {"hall_id": hall_id, "types": types}
        assert prepared.statement((True,), **values) == _fresh(_in_types(True, **values))
        assert prepared.statement((False,), **values) == _fresh(_in_types(False, **values))
    assert sorted(prepared._shapes) == sorted(
        ("default", connection.vendor, (some,), (len(types),)) for some in (True, False)
    )


def test_a_many_input_used_other_than_element_by_element_is_refused():
    def build(*, types):
        return Ticket.objects.filter(number=f"{len(types)}-{types[0]}")

    with pytest.raises(NotPreparable):
        Prepared(build, inputs={"types": Many(int)}).statement((), types=[1, 2])
