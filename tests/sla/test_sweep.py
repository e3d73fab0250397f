"""The sweep with frozen time (CMP-2.1, BIZ-2.1): warning at 75 %, breach at 100 %, the escalation ladder, quiet
hours, catch-up after downtime, and every notice exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notify.models import Notification
from notify.services import notification_drain
from sla.models import Clock, ClockEvent, ClockStatus, EventKind, Target
from sla.services import clock_start, sla_sweep
from staff.models import DutyShift
from tests.sla.conftest import SH, T0
from tests.sla.test_clocks import EXPECTED_HOURS

pytestmark = pytest.mark.django_db


def _notices(clock):
    return {
        n.dedupe_key.split(":", 2)[2]: n
        for n in Notification.objects.filter(dedupe_key__startswith=f"sla:{clock.pk}:")
    }


@pytest.mark.parametrize("target,hours", list(EXPECTED_HOURS.items()))
def test_every_target_warns_at_75_percent_and_breaches_at_100_percent(
    world, subject, time_machine, target, hours
):
    time_machine.move_to(T0, tick=False)
    clock = clock_start(subject=subject, target=target, hall=world["hall_a"])
    time_machine.move_to(T0 + timedelta(hours=hours * 0.75) - timedelta(seconds=1), tick=False)
    assert sla_sweep()["checked"] == 0
    time_machine.move_to(T0 + timedelta(hours=hours * 0.75), tick=False)
    assert sla_sweep()["warned"] == 1
    assert sla_sweep()["checked"] == 0  # nothing until the deadline
    time_machine.move_to(T0 + timedelta(hours=hours), tick=False)
    done = sla_sweep()
    assert (done["breached"], done["escalated"]) == (1, 1)
    clock.refresh_from_db()
    assert clock.status == ClockStatus.BREACHED and clock.breached_at == T0 + timedelta(hours=hours)
    assert sla_sweep()["checked"] == 0


def test_escalation_ladder_supervisor_then_manager_then_inspector(world, subject, time_machine):
    """Warning and rung 1 to the duty supervisor on duty, rung 2 to the hall manager, rung 3 to the regional
    quality inspector, one rung per step (half the 2 h target = 1 h); each exactly once."""
    hall = world["hall_a"]
    DutyShift.objects.create(
        hall=hall, user=world["supervisor_a"], starts_at=T0, ends_at=T0 + timedelta(hours=8)
    )
    time_machine.move_to(T0, tick=False)
    clock = clock_start(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=hall)
    assert clock.escalation_step_seconds == 3600
    for minutes in (90, 90, 120, 120, 180, 180, 240, 240, 600):
        time_machine.move_to(T0 + timedelta(minutes=minutes), tick=False)
        sla_sweep()
    notices = _notices(clock)
    assert sorted(notices) == ["escalated:1", "escalated:2", "escalated:3", "warned:0"]
    assert notices["warned:0"].options["mentioned_list"] == ["supervisor_a"]
    assert notices["escalated:1"].options["mentioned_list"] == ["supervisor_a"]
    assert notices["escalated:2"].options["mentioned_list"] == ["manager_a"]
    assert notices["escalated:3"].options["mentioned_list"] == ["inspector"]
    assert (
        notices["warned:0"].template == "sla_warning" and notices["escalated:3"].template == "sla_escalation"
    )
    assert "区域质检员" in notices["escalated:3"].body and "甲营业厅" in notices["escalated:3"].body
    events = list(ClockEvent.objects.filter(clock=clock).values_list("kind", "level"))
    assert events == [
        (EventKind.STARTED, 0),
        (EventKind.WARNED, 0),
        (EventKind.BREACHED, 0),
        (EventKind.ESCALATED, 1),
        (EventKind.ESCALATED, 2),
        (EventKind.ESCALATED, 3),
    ]
    clock.refresh_from_db()
    assert clock.escalation_level == 3 and clock.next_check_at is None


def test_without_a_duty_supervisor_the_warning_goes_to_the_manager(world, subject):
    clock = clock_start(
        subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=T0
    )
    sla_sweep(now=T0 + timedelta(minutes=90))
    assert _notices(clock)["warned:0"].options["mentioned_list"] == ["manager_a"]


def test_late_sweep_catches_up_every_rung_once_and_skips_the_stale_warning(world, subject):
    clock = clock_start(
        subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=T0
    )
    done = sla_sweep(now=T0 + timedelta(hours=10))
    assert (done["warned"], done["breached"], done["escalated"]) == (0, 1, 3)
    assert sorted(_notices(clock)) == ["escalated:1", "escalated:2", "escalated:3"]
    assert sla_sweep(now=T0 + timedelta(hours=11))["checked"] == 0


def test_quiet_hours_defer_off_duty_notices_to_the_next_opening(world, subject):
    """No reminders at night (Zammad #4432): a warning raised at 18:15 on Monday with nobody on duty waits for
    Tuesday 09:00; the drain does not send it before then."""
    evening = datetime(2026, 3, 2, 17, 30, tzinfo=SH)
    clock = clock_start(
        subject=subject,
        target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE,
        hall=world["hall_a"],
        started_at=evening,
    )
    sla_sweep(now=evening + timedelta(minutes=45))
    notice = _notices(clock)["warned:0"]
    assert notice.next_attempt_at == datetime(2026, 3, 3, 9, 0, tzinfo=SH)
    assert notification_drain(now=evening + timedelta(hours=2))["sent"] == 0
    assert notification_drain(now=datetime(2026, 3, 3, 9, 0, tzinfo=SH))["sent"] == 1


def test_duty_supervisor_on_an_evening_shift_is_told_at_once(world, subject):
    evening = datetime(2026, 3, 2, 17, 30, tzinfo=SH)
    DutyShift.objects.create(
        hall=world["hall_a"],
        user=world["supervisor_a"],
        starts_at=evening,
        ends_at=evening + timedelta(hours=5),
    )
    clock = clock_start(
        subject=subject,
        target=Target.CONSULTATION_ONLINE_FIRST_RESPONSE,
        hall=world["hall_a"],
        started_at=evening,
    )
    sla_sweep(now=evening + timedelta(hours=1))
    notices = _notices(clock)
    assert notices["escalated:1"].next_attempt_at <= evening + timedelta(hours=1)
    assert notices["escalated:1"].options["mentioned_list"] == ["supervisor_a"]


def test_met_and_cancelled_clocks_leave_the_sweep(world, subject):
    from sla.services import clock_cancel, clock_meet

    clock_start(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, hall=world["hall_a"], started_at=T0)
    clock_start(subject=subject, target=Target.CONSULTATION_CALLBACK, hall=world["hall_a"], started_at=T0)
    clock_meet(subject=subject, target=Target.COMPLAINT_FIRST_CONTACT, at=T0 + timedelta(minutes=30))
    clock_cancel(subject=subject, target=Target.CONSULTATION_CALLBACK, reason="客户撤回")
    assert sla_sweep(now=T0 + timedelta(days=5))["checked"] == 0
    assert not Clock.objects.filter(next_check_at__isnull=False).exists()


def test_business_hours_clock_sleeps_through_national_day_and_breaches_on_the_tiaoxiu_saturday(
    world, subject, time_machine
):
    """BIZ-2.1 callback on a business-hours calendar (hall closed at weekends): 2 h on 30 Sep, nothing during 国庆,
    9 h on 8 and 9 Oct, the last 4 h on the 调休 Saturday 10 Oct."""
    from tests.sla.conftest import publish_variant

    hall = world["hall_a"]
    hall.opening_hours = {str(d): [["09:00", "18:00"]] for d in range(5)}
    hall.save()
    publish_variant(2, datetime(2026, 9, 1, tzinfo=SH), sla__calendar="business")
    time_machine.move_to(datetime(2026, 9, 30, 16, 0, tzinfo=SH), tick=False)
    clock = clock_start(subject=subject, target=Target.CONSULTATION_CALLBACK, hall=hall)
    assert clock.deadline == datetime(2026, 10, 10, 13, 0, tzinfo=SH)
    assert clock.warn_at == datetime(2026, 10, 9, 16, 0, tzinfo=SH)  # 18 business hours
    time_machine.move_to(datetime(2026, 10, 5, 12, 0, tzinfo=SH), tick=False)
    assert sla_sweep()["checked"] == 0
    time_machine.move_to(datetime(2026, 10, 9, 16, 0, tzinfo=SH), tick=False)
    assert sla_sweep()["warned"] == 1
    time_machine.move_to(datetime(2026, 10, 10, 12, 59, tzinfo=SH), tick=False)
    assert sla_sweep()["checked"] == 0
    time_machine.move_to(datetime(2026, 10, 10, 13, 0, tzinfo=SH), tick=False)
    assert sla_sweep()["breached"] == 1
