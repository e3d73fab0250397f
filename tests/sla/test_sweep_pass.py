"""The sweep's set-based pass (issue 14, CMP-2.1): one INSERT of events and one of notices per pass, and still
exactly once when an event exists already (written by someone who did not hold the clock's row lock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notify.models import Notification
from sla.models import Clock, ClockEvent, ClockStatus, EventKind, Target
from sla.services import clock_start, sla_sweep
from tests import factories as f
from tests.sla.conftest import T0

pytestmark = pytest.mark.django_db

TARGET = Target.COMPLAINT_FIRST_CONTACT  # 2 hours, warned at 75 %


def _clocks(world, n: int) -> list[Clock]:
    return [
        clock_start(subject=f.region(), target=TARGET, hall=world["hall_a"], started_at=T0) for _ in range(n)
    ]


def test_an_event_that_exists_already_is_not_notified_again_and_the_others_still_are(world):
    first, second, third = _clocks(world, 3)
    ClockEvent.objects.create(clock=first, hall_id=first.hall_id, kind=EventKind.WARNED, level=0, at=T0)
    done = sla_sweep(now=T0 + timedelta(minutes=95))
    assert (done["checked"], done["warned"]) == (3, 2)
    keys = set(
        Notification.objects.filter(dedupe_key__startswith="sla:").values_list("dedupe_key", flat=True)
    )
    assert keys == {f"sla:{second.pk}:warned:0", f"sla:{third.pk}:warned:0"}
    # Every clock moved on all the same: the next look is at the deadline.
    assert set(Clock.objects.values_list("next_check_at", flat=True)) == {first.deadline}


def test_a_clock_found_long_overdue_climbs_the_ladder_in_one_pass_with_every_rung_recorded_once(world):
    clocks = _clocks(world, 4)
    done = sla_sweep(now=T0 + timedelta(days=2))
    assert (done["breached"], done["escalated"]) == (4, 12)
    for clock in Clock.objects.filter(pk__in=[c.pk for c in clocks]):
        assert (clock.status, clock.escalation_level, clock.next_check_at) == (ClockStatus.BREACHED, 3, None)
        assert clock.breached_at == clock.deadline
    assert ClockEvent.objects.filter(kind=EventKind.ESCALATED).count() == 12
    assert Notification.objects.filter(dedupe_key__startswith="sla:").count() == 12
    assert sla_sweep(now=T0 + timedelta(days=3))["checked"] == 0


def test_a_clock_met_before_the_pass_is_left_as_met(world):
    """Only the clocks still due under the lock are written back (the UPDATE is conditional on an open status)."""
    from sla.services import clock_meet

    clock, other = _clocks(world, 2)
    clock_meet(subject=clock.subject, target=TARGET, at=T0 + timedelta(minutes=30))
    done = sla_sweep(now=T0 + timedelta(minutes=95))
    assert done["warned"] == 1
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.MET
