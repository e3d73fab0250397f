"""The sweep's look-up can use the partial index ``sla_clock_due`` (its cost follows the due clocks, not the open
ones) on both databases; the 1M-clock timing is in docs/performance.md (bench/sla_sweep_bench.py)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sla.models import Clock

pytestmark = pytest.mark.django_db


def test_find_due_query_uses_the_partial_index():
    qs = (
        Clock.objects.filter(next_check_at__lte=timezone.now())
        .order_by("next_check_at")
        .values_list("pk")[:1000]
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # an empty table would otherwise be scanned; we test usability
                cur.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "sla_clock_due" in plan, plan
