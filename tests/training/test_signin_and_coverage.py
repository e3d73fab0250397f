"""STF-3.1: QR sign-in (signed, expiring, own hall, inside the window) and monthly coverage per local month."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lib.errors import ServiceError
from notify.models import Notification
from tests.training.conftest import SHANGHAI
from training import services as s
from training.models import RetrainingStatus
from training.selectors import coverage_for_halls, month_bounds

T0 = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)


def _token(world, session):
    return s.signin_token(session=session, actor=world["manager_a"])["token"]


@pytest.mark.django_db
def test_stf31_qr_sign_in_valid_once_per_clerk(world, plan, time_machine):
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    session = plan(T0)
    token = _token(world, session)
    attendance, created = s.attendance_sign_in(token=token, clerk=world["clerk_a"])
    assert created and attendance.clerk == world["clerk_a"] and attendance.method == "qr"
    again, created_again = s.attendance_sign_in(token=token, clerk=world["clerk_a"])
    assert not created_again and again.pk == attendance.pk
    assert session.attendances.count() == 1


@pytest.mark.django_db
def test_stf31_qr_token_expires_after_ten_minutes(world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    token = _token(world, session)
    time_machine.move_to(T0 + timedelta(minutes=11), tick=False)
    with pytest.raises(ServiceError) as err:
        s.attendance_sign_in(token=token, clerk=world["clerk_a"])
    assert err.value.code == "token_expired"
    assert not session.attendances.exists()


@pytest.mark.django_db
def test_stf31_forged_token_is_refused(world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    token = _token(world, session)
    for bad in (token[:-2] + "xx", "garbage", ""):
        with pytest.raises(ServiceError) as err:
            s.attendance_sign_in(token=bad, clerk=world["clerk_a"])
        assert err.value.code == "token_invalid"


@pytest.mark.django_db
def test_stf31_clerk_of_other_hall_cannot_sign_in(world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    with pytest.raises(ServiceError) as err:
        s.attendance_sign_in(token=_token(world, session), clerk=world["clerk_b"])
    assert err.value.code == "other_hall" and err.value.status == 403
    # nor the inspector or auditor: they do not owe the hall's training
    for persona in ("inspector", "auditor"):
        with pytest.raises(ServiceError):
            s.attendance_sign_in(token=_token(world, session), clerk=world[persona])


@pytest.mark.django_db
def test_stf31_sign_in_outside_window_is_refused(world, plan, time_machine):
    time_machine.move_to(T0 - timedelta(hours=2), tick=False)
    session = plan(T0)
    with pytest.raises(ServiceError) as err:
        s.attendance_sign_in(token=_token(world, session), clerk=world["clerk_a"])
    assert err.value.code == "outside_window" and err.value.status == 409
    time_machine.move_to(T0 - timedelta(minutes=29), tick=False)  # 30 min early is inside
    assert s.attendance_sign_in(token=_token(world, session), clerk=world["greeter_a"])[1]
    time_machine.move_to(T0 + timedelta(hours=1, minutes=1), tick=False)
    with pytest.raises(ServiceError) as err:
        s.attendance_sign_in(token=_token(world, session), clerk=world["clerk_a"])
    assert err.value.code == "outside_window"


@pytest.mark.django_db
def test_stf31_cancelled_session_refuses_sign_in(world, plan, time_machine):
    time_machine.move_to(T0, tick=False)
    session = plan(T0)
    token = _token(world, session)
    s.session_cancel(session=session, actor=world["manager_a"])
    with pytest.raises(ServiceError) as err:
        s.attendance_sign_in(token=token, clerk=world["clerk_a"])
    assert err.value.code == "session_cancelled"
    with pytest.raises(ServiceError) as err:
        s.session_cancel(session=session, actor=world["manager_a"])
    assert err.value.code == "session_state"


@pytest.mark.django_db
def test_stf31_coverage_month_boundary_in_shanghai(world, plan, time_machine):
    """Both sessions are on 30 November in UTC; in Asia/Shanghai one is in November and one in December."""
    late_nov = datetime(2026, 11, 30, 23, 0, tzinfo=SHANGHAI)
    early_dec = datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)
    assert late_nov.astimezone(SHANGHAI).utcoffset() and early_dec.utctimetuple().tm_mday == 30
    time_machine.move_to(late_nov + timedelta(minutes=5), tick=False)
    nov = plan(late_nov, ends_at=late_nov + timedelta(minutes=50))
    s.attendance_sign_in(token=_token(world, nov), clerk=world["clerk_a"])
    time_machine.move_to(early_dec + timedelta(minutes=5), tick=False)
    dec = plan(early_dec)
    s.attendance_sign_in(token=_token(world, dec), clerk=world["greeter_a"])

    (nov_row,) = coverage_for_halls(halls=[world["hall_a"]], year=2026, month=11)
    (dec_row,) = coverage_for_halls(halls=[world["hall_a"]], year=2026, month=12)
    assert nov_row["total"] == dec_row["total"] == 2  # clerk_a and greeter_a owe training; managers do not
    assert [p["user"] for p in nov_row["missing"]] == [world["greeter_a"]]
    assert [p["user"] for p in dec_row["missing"]] == [world["clerk_a"]]
    assert nov_row["covered"] == 1 and nov_row["rate"] == 0.5
    start, end = month_bounds(2026, 12)
    assert start == datetime(2026, 12, 1, tzinfo=SHANGHAI) and end == datetime(2027, 1, 1, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_stf31_coverage_requires_the_standard_number_and_skips_empty_halls(world, plan, time_machine):
    from standard.models import StandardParameter

    time_machine.move_to(T0, tick=False)
    StandardParameter.objects.filter(code="training.monthly_sessions").update(value=2)
    first = plan(T0)
    s.attendance_sign_in(token=_token(world, first), clerk=world["clerk_a"])
    rows = {
        r["hall"]: r
        for r in coverage_for_halls(halls=[world["hall_a"], world["hall_c"]], year=2026, month=11)
    }
    row = rows[world["hall_a"]]
    assert row["required"] == 2 and row["covered"] == 0
    assert {p["user"]: p["attended"] for p in row["missing"]} == {world["clerk_a"]: 1, world["greeter_a"]: 0}
    assert rows[world["hall_c"]]["rate"] is None and rows[world["hall_c"]]["total"] == 0
    time_machine.move_to(T0 + timedelta(hours=3), tick=False)
    second = plan(T0 + timedelta(hours=3))
    s.attendance_sign_in(token=_token(world, second), clerk=world["clerk_a"])
    (row,) = coverage_for_halls(halls=[world["hall_a"]], year=2026, month=11)
    assert row["covered"] == 1 and [p["user"] for p in row["missing"]] == [world["greeter_a"]]


@pytest.mark.django_db
def test_stf31_sweep_notifies_manager_once_before_month_end(world, plan, time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), tick=False)
    assert s.training_sweep()["notified"] == 0  # ten days left: not yet
    time_machine.move_to(datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI), tick=False)
    result = s.training_sweep()
    assert result["notified"] == 2  # hall A (clerk_a, greeter_a) and hall B (clerk_b); hall C has nobody
    note = Notification.objects.get(dedupe_key=f"training:coverage:{world['hall_a'].pk}:2026-11")
    assert "2名员工未完成" in note.body and note.options["mentioned_list"] == ["manager_a"]
    time_machine.move_to(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), tick=False)
    assert s.training_sweep()["notified"] == 0  # once per hall and month
    assert Notification.objects.filter(template="training_coverage_missing").count() == 2


@pytest.mark.django_db
def test_stf31_sweep_skips_a_fully_trained_hall(world, plan, time_machine):
    start = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    session = plan(start)
    for persona in ("clerk_a", "greeter_a"):
        s.attendance_sign_in(token=_token(world, session), clerk=world[persona])
    s.training_sweep()
    assert not Notification.objects.filter(
        dedupe_key=f"training:coverage:{world['hall_a'].pk}:2026-11"
    ).exists()


@pytest.mark.django_db
def test_sup2_retraining_assignment_done_on_retraining_sign_in(world, plan, time_machine):
    """SUP-2 → STF-3.1 contract: ``retraining_assign`` creates an assignment the clerk completes by signing in."""
    time_machine.move_to(T0, tick=False)
    assignment = s.retraining_assign(
        clerk=world["clerk_a"], hall=world["hall_a"], reason="连续3个月满意度未达标", assigned_by=None
    )
    assert assignment.status == RetrainingStatus.ASSIGNED and assignment.assigned_by is None
    same = s.retraining_assign(
        clerk=world["clerk_a"], hall=world["hall_a"], reason="再次触发", assigned_by=world["inspector"]
    )
    assert same.pk == assignment.pk  # one open retraining per clerk and hall
    briefing = plan(T0 + timedelta(minutes=10))
    s.attendance_sign_in(token=_token(world, briefing), clerk=world["clerk_a"])
    assignment.refresh_from_db()
    assert assignment.status == RetrainingStatus.ASSIGNED  # a briefing does not settle it
    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    retraining = plan(T0 + timedelta(hours=2), kind="retraining", title="转岗培训:服务规范")
    s.attendance_sign_in(token=_token(world, retraining), clerk=world["clerk_a"])
    assignment.refresh_from_db()
    assert assignment.status == RetrainingStatus.DONE and assignment.session == retraining


@pytest.mark.django_db
def test_sup2_retraining_assign_rules(world, time_machine):
    from datetime import date

    time_machine.move_to(T0, tick=False)
    hall_a = world["hall_a"]
    with pytest.raises(ServiceError) as err:
        s.retraining_assign(clerk=world["clerk_a"], hall=hall_a, reason="原因", assigned_by=world["clerk_a"])
    assert err.value.status == 403
    with pytest.raises(ServiceError) as err:
        s.retraining_assign(clerk=world["clerk_a"], hall=hall_a, reason="原因", assigned_by=world["auditor"])
    assert err.value.status == 403
    with pytest.raises(ServiceError) as err:
        s.retraining_assign(
            clerk=world["clerk_b"], hall=hall_a, reason="原因", assigned_by=world["manager_a"]
        )
    assert err.value.code == "not_trainee"
    with pytest.raises(ServiceError) as err:
        s.retraining_assign(clerk=world["clerk_a"], hall=hall_a, reason=" ", assigned_by=world["manager_a"])
    assert err.value.code == "reason_required"
    with pytest.raises(ServiceError) as err:
        s.retraining_assign(
            clerk=world["clerk_a"],
            hall=hall_a,
            reason="原因",
            assigned_by=world["manager_a"],
            due=date(2026, 11, 1),
        )
    assert err.value.code == "due_in_past"
    with pytest.raises(ServiceError) as err:  # manager of hall A has no right in hall B
        s.retraining_assign(
            clerk=world["clerk_b"], hall=world["hall_b"], reason="原因", assigned_by=world["manager_a"]
        )
    assert err.value.status == 404
