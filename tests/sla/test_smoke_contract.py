"""Smoke test of the contract other apps build on (CMP-2.1, BIZ-2.1)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sla.models import ClockStatus, EventKind, Target
from sla.services import clock_cancel, clock_meet, clock_start, clocks_for, sla_sweep

SH = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_first_contact_clock_deadline_is_two_hours_and_met_in_time(world):
    """CMP-2.1: the duty supervisor contacts the customer within 2 hours."""
    subject = world["hall_a"]  # any saved model works as a subject
    t0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    clock = clock_start(
        subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=t0
    )
    assert clock.deadline == t0 + timedelta(hours=2)
    assert clock.warn_at == t0 + timedelta(minutes=90)
    again = clock_start(
        subject=subject, target="complaint_first_contact", hall=world["hall_a"], started_at=t0
    )
    assert again.pk == clock.pk
    met = clock_meet(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, at=t0 + timedelta(hours=1))
    assert met.status == ClockStatus.MET
    assert met.state(t0 + timedelta(hours=3)) == "met"
    assert clock_meet(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT) is None
    assert [e.kind for e in clocks_for(subject)[0].events.all()] == [EventKind.STARTED, EventKind.MET]
    assert clock_cancel(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT) is None
    assert sla_sweep(now=t0 + timedelta(hours=5))["checked"] == 0
