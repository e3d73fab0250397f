"""Clock services: start, meet (in time / late), cancel, restart, periodic cycles, pause policy and arithmetic
(CMP-2.1, BIZ-2.1)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lib.errors import ServiceError
from sla.models import Clock, ClockEvent, ClockStatus, EventKind, Target
from sla.services import (
    clock_cancel,
    clock_meet,
    clock_pause,
    clock_restart,
    clock_resume,
    clock_start,
    clocks_for,
    sla_sweep,
)
from tests.sla.conftest import SH, T0, publish_variant

pytestmark = pytest.mark.django_db

EXPECTED_HOURS = {
    Target.COMPLAINT_FIRST_CONTACT: 2,
    Target.COMPLAINT_GENERAL_SOLUTION: 24,
    Target.COMPLAINT_COMPLEX_PROGRESS: 72,
    Target.CONSULTATION_CALLBACK: 24,
    Target.CONSULTATION_ONLINE_FIRST_RESPONSE: 1,
    Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION: 48,
}


@pytest.mark.parametrize("target,hours", list(EXPECTED_HOURS.items()))
def test_deadline_of_every_target_comes_from_the_standard(world, subject, target, hours):
    """CMP-2.1 / BIZ-2.1: 2 h, 24 h, 72 h, 24 h, 1 h, 48 h in clock hours by default."""
    clock = clock_start(subject=subject, target=target, hall=world["hall_a"], started_at=T0)
    assert clock.deadline == T0 + timedelta(hours=hours)
    assert clock.warn_at == T0 + timedelta(hours=hours * 0.75)
    assert clock.standard_version.number == 1
    assert clock.calendar == "clock"
    assert clock.next_check_at == clock.warn_at
    started = clock.events.get()
    assert started.kind == EventKind.STARTED and started.data["deadline"] == clock.deadline.isoformat()


def test_unknown_target_is_refused(world, subject):
    with pytest.raises(ServiceError) as exc:
        clock_start(subject=subject, target="nonsense", hall=world["hall_a"])
    assert exc.value.code == "sla_unknown_target"
    assert not Clock.objects.exists()


def test_clock_keeps_the_standard_in_force_when_it_started(world, subject):
    """SUP-3: a later revision does not move a running deadline; new clocks use the new numbers."""
    later = T0 + timedelta(days=1)
    publish_variant(2, later, complaint__first_contact_hours=1)
    old = clock_start(
        subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=T0
    )
    new = clock_start(
        subject=world["hall_c"], target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_c"], started_at=later
    )
    assert old.deadline == T0 + timedelta(hours=2) and old.standard_version.number == 1
    assert new.deadline == later + timedelta(hours=1) and new.standard_version.number == 2


def test_per_target_business_calendar_override(world, subject):
    """A standard may put one target on hall business hours: 24 h from Friday 17:00 across a weekend-closed hall."""
    hall = world["hall_a"]
    hall.opening_hours = {str(d): [["09:00", "18:00"]] for d in range(5)}
    hall.save()
    publish_variant(2, T0 - timedelta(days=1), **{"sla__calendar__consultation_callback": "business"})
    start = datetime(2026, 3, 6, 17, 0, tzinfo=SH)
    clock = clock_start(subject=subject, target=Target.CONSULTATION_CALLBACK, hall=hall, started_at=start)
    assert clock.calendar == "business"
    # 1 h Fri + 9 h Mon + 9 h Tue + 5 h Wed
    assert clock.deadline == datetime(2026, 3, 11, 14, 0, tzinfo=SH)
    other = clock_start(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=hall, started_at=start)
    assert other.calendar == "clock"


def test_met_after_breach_keeps_both_times_and_reads_met_late(world, subject):
    clock = clock_start(
        subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=T0
    )
    sla_sweep(now=T0 + timedelta(hours=2, minutes=1))
    clock.refresh_from_db()
    assert clock.status == ClockStatus.BREACHED and clock.state(T0 + timedelta(hours=3)) == "overdue"
    met = clock_meet(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, at=T0 + timedelta(hours=3))
    assert met.status == ClockStatus.MET
    assert met.breached_at == T0 + timedelta(hours=2)
    assert met.met_at == T0 + timedelta(hours=3)
    assert met.state(T0 + timedelta(hours=4)) == "met_late"
    assert met.next_check_at is None


def test_met_late_without_a_sweep_still_counts_as_late(world, subject):
    clock_start(
        subject=subject, target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE, hall=world["hall_a"], started_at=T0
    )
    met = clock_meet(
        subject=subject, target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE, at=T0 + timedelta(hours=2)
    )
    assert met.breached_at == T0 + timedelta(hours=1)
    assert met.state(T0 + timedelta(hours=2)) == "met_late"


def test_clock_states_over_time(world, subject):
    clock = clock_start(
        subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=T0
    )
    assert clock.state(T0 + timedelta(minutes=10)) == "ok"
    assert clock.state(T0 + timedelta(minutes=95)) == "due_soon"
    assert clock.state(T0 + timedelta(minutes=121)) == "overdue"


def test_complex_progress_repeats_after_each_report_until_cancelled(world, subject):
    """CMP-2.1: complex complaints get progress reports within 72 h, then periodically."""
    publish_variant(2, T0 - timedelta(days=1), complaint__complex_progress_repeat_hours=48)
    clock_start(
        subject=subject, target=Target.COMPLAINT_COMPLEX_PROGRESS, hall=world["hall_a"], started_at=T0
    )
    first_report = T0 + timedelta(hours=60)
    clock_meet(subject=subject, target=Target.COMPLAINT_COMPLEX_PROGRESS, at=first_report)
    clocks = list(clocks_for(subject))
    assert [(c.cycle, c.status) for c in clocks] == [(1, ClockStatus.MET), (2, ClockStatus.RUNNING)]
    assert clocks[1].deadline == first_report + timedelta(hours=48)
    clock_cancel(subject=subject, target=Target.COMPLAINT_COMPLEX_PROGRESS, reason="已解决")
    assert not Clock.objects.open().exists()
    assert clock_meet(subject=subject, target=Target.COMPLAINT_COMPLEX_PROGRESS) is None


def test_restart_cancels_the_old_clock_and_logs_the_reason(world, subject):
    """CMP-2.1 reclassification restarts the right clock; both steps logged."""
    old = clock_start(
        subject=subject, target=Target.COMPLAINT_GENERAL_SOLUTION, hall=world["hall_a"], started_at=T0
    )
    later = T0 + timedelta(hours=5)
    new = clock_restart(
        subject=subject,
        target=Target.COMPLAINT_GENERAL_SOLUTION,
        actor=world["supervisor_a"],
        reason="改为一般投诉",
        started_at=later,
    )
    old.refresh_from_db()
    assert old.status == ClockStatus.CANCELLED
    assert old.events.get(kind=EventKind.CANCELLED).reason == "改为一般投诉"
    assert new.cycle == 2 and new.deadline == later + timedelta(hours=24)
    restarted = new.events.get(kind=EventKind.RESTARTED)
    assert restarted.actor == world["supervisor_a"] and restarted.data["previous"] == old.pk


def test_restart_of_a_target_never_started_needs_a_hall(world, subject):
    with pytest.raises(ServiceError) as exc:
        clock_restart(
            subject=subject, target=Target.COMPLAINT_COMPLEX_PROGRESS, actor=None, reason="升级为复杂投诉"
        )
    assert exc.value.code == "sla_hall_required"
    new = clock_restart(
        subject=subject,
        target=Target.COMPLAINT_COMPLEX_PROGRESS,
        actor=None,
        reason="升级为复杂投诉",
        hall=world["hall_a"],
    )
    assert new.hall == world["hall_a"] and new.cycle == 1


@pytest.mark.parametrize(
    "target",
    [
        Target.COMPLAINT_FIRST_CONTACT,
        Target.COMPLAINT_GENERAL_SOLUTION,
        Target.COMPLAINT_COMPLEX_PROGRESS,
        Target.CONSULTATION_CALLBACK,
        Target.CONSULTATION_ONLINE_FIRST_RESPONSE,
    ],
)
def test_promises_to_the_customer_never_pause(world, subject, target):
    clock = clock_start(subject=subject, target=target, hall=world["hall_a"], started_at=T0)
    with pytest.raises(ServiceError) as exc:
        clock_pause(clock=clock, actor=world["supervisor_a"], reason="等待客户", at=T0 + timedelta(minutes=5))
    assert exc.value.code == "not_pausable" and exc.value.status == 400
    clock.refresh_from_db()
    assert clock.status == ClockStatus.RUNNING
    assert not clock.events.filter(kind=EventKind.PAUSED).exists()


def _complex_online(world, subject):
    return clock_start(
        subject=subject,
        target=Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION,
        hall=world["hall_a"],
        started_at=T0,
    )


def test_pause_needs_a_reason(world, subject):
    clock = _complex_online(world, subject)
    with pytest.raises(ServiceError) as exc:
        clock_pause(clock=clock, actor=world["supervisor_a"], reason="  ", at=T0 + timedelta(hours=1))
    assert exc.value.code == "reason_required"


def test_pause_across_the_original_deadline_prevents_the_breach(world, subject):
    """Paused 40 h from hour 10 to hour 50 (past the original 48 h deadline): the deadline moves to hour 88."""
    actor = world["supervisor_a"]
    clock = _complex_online(world, subject)
    clock_pause(clock=clock, actor=actor, reason="等待客户提供账单截图", at=T0 + timedelta(hours=10))
    assert sla_sweep(now=T0 + timedelta(hours=49))["breached"] == 0
    clock = clock_resume(clock=clock, actor=actor, at=T0 + timedelta(hours=50))
    assert clock.paused_seconds == 40 * 3600
    assert clock.deadline == T0 + timedelta(hours=88)
    assert clock.warn_at == T0 + timedelta(hours=36 + 40)
    assert sla_sweep(now=T0 + timedelta(hours=75))["warned"] == 0
    assert sla_sweep(now=T0 + timedelta(hours=76))["warned"] == 1
    assert sla_sweep(now=T0 + timedelta(hours=88))["breached"] == 1
    kinds = list(clock.events.values_list("kind", flat=True))
    assert kinds[:3] == [EventKind.STARTED, EventKind.PAUSED, EventKind.RESUMED]


def test_multiple_pauses_add_up(world, subject):
    actor = world["supervisor_a"]
    clock = _complex_online(world, subject)
    for start_h, end_h in [(1, 3), (5, 6), (10, 14)]:
        clock_pause(clock=clock, actor=actor, reason="等待客户", at=T0 + timedelta(hours=start_h))
        clock = clock_resume(clock=clock, actor=actor, at=T0 + timedelta(hours=end_h))
    assert clock.paused_seconds == 7 * 3600
    assert clock.deadline == T0 + timedelta(hours=55)
    assert clock.events.filter(kind=EventKind.PAUSED).count() == 3


def test_meeting_a_paused_clock_counts_the_open_pause(world, subject):
    clock = _complex_online(world, subject)
    clock_pause(clock=clock, actor=world["supervisor_a"], reason="等待客户", at=T0 + timedelta(hours=40))
    met = clock_meet(
        subject=subject, target=Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION, at=T0 + timedelta(hours=60)
    )
    assert met.paused_seconds == 20 * 3600
    assert met.state(T0 + timedelta(hours=61)) == "met"


def test_breached_or_paused_clock_cannot_pause_again_and_resume_needs_a_pause(world, subject):
    actor = world["supervisor_a"]
    clock = _complex_online(world, subject)
    with pytest.raises(ServiceError) as exc:
        clock_resume(clock=clock, actor=actor, at=T0 + timedelta(hours=1))
    assert exc.value.code == "not_paused"
    clock_pause(clock=clock, actor=actor, reason="等待客户", at=T0 + timedelta(hours=1))
    with pytest.raises(ServiceError) as exc:
        clock_pause(clock=clock, actor=actor, reason="等待客户", at=T0 + timedelta(hours=2))
    assert exc.value.code == "not_running"
    clock_resume(clock=clock, actor=actor, at=T0 + timedelta(hours=2))
    sla_sweep(now=T0 + timedelta(hours=60))
    clock.refresh_from_db()
    assert clock.status == ClockStatus.BREACHED
    with pytest.raises(ServiceError) as exc:
        clock_pause(clock=clock, actor=actor, reason="等待客户", at=T0 + timedelta(hours=61))
    assert exc.value.code == "not_running"
    assert ClockEvent.objects.filter(kind=EventKind.PAUSED).count() == 1


def test_restarting_a_periodic_target_uses_its_first_period_not_the_repeat(world, subject):
    publish_variant(2, T0 - timedelta(days=1), complaint__complex_progress_repeat_hours=48)
    clock_start(
        subject=subject, target=Target.COMPLAINT_COMPLEX_PROGRESS, hall=world["hall_a"], started_at=T0
    )
    new = clock_restart(
        subject=subject,
        target=Target.COMPLAINT_COMPLEX_PROGRESS,
        actor=None,
        reason="重新定性",
        started_at=T0 + timedelta(hours=1),
    )
    assert new.cycle == 2 and new.deadline == T0 + timedelta(hours=73)
