"""Exactly once with two sweeps running at the same moment (CMP-2.1): real threads, real database (SQLite WAL
and PostgreSQL ``SKIP LOCKED``)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from notify.models import Notification
from sla.models import ClockEvent, EventKind, Target
from sla.services import clock_start, sla_sweep
from tests.sla.conftest import T0

N = 25


def _run_in_threads(fn, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_warn_and_escalate_each_clock_exactly_once(world):
    from tests import factories as f

    halls = [world["hall_a"], world["hall_b"]]
    # Any saved row can be a subject; regions are the cheapest to make.
    clocks = [
        clock_start(
            subject=f.region(), target=Target.COMPLAINT_FIRST_CONTACT, hall=halls[i % 2], started_at=T0
        )
        for i in range(N)
    ]
    warned = _run_in_threads(lambda: sla_sweep(now=T0 + timedelta(minutes=95)))
    assert sum(r["warned"] for r in warned) == len(clocks)
    escalated = _run_in_threads(lambda: sla_sweep(now=T0 + timedelta(hours=5)))
    assert sum(r["breached"] for r in escalated) == len(clocks)
    assert sum(r["escalated"] for r in escalated) == 3 * len(clocks)

    assert ClockEvent.objects.filter(kind=EventKind.WARNED).count() == len(clocks)
    assert ClockEvent.objects.filter(kind=EventKind.BREACHED).count() == len(clocks)
    assert ClockEvent.objects.filter(kind=EventKind.ESCALATED).count() == 3 * len(clocks)
    assert Notification.objects.filter(dedupe_key__startswith="sla:").count() == 4 * len(clocks)
