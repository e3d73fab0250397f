"""ENV-2.1 maintenance plans: generation ahead (idempotent, concurrent), plan change, frozen checklist, completion
that never moves the schedule, failed item → fault, due/overdue on the SLA engine."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection

from facilities.models import Fault, FaultStatus, MaintenancePlan, Occurrence, OccurrenceStatus
from facilities.services import maintenance_sweep, occurrence_complete, plan_create, plan_update
from lib.errors import Conflict, Forbidden, NotFound, ServiceError
from sla.models import Clock, ClockStatus, Target
from tests.facilities.conftest import SH, T0, png

WEEKLY_CHECKLIST = [{"label": "座椅稳固"}, {"label": "无破损"}]
FILTER_CHECKLIST = [
    {"key": "filter", "label": "滤芯在有效期内"},
    {"key": "tds", "label": "出水TDS", "type": "number", "min": 0, "max": 50, "unit": "ppm"},
]


def weekly_seats(world, **kw):
    return plan_create(
        user=world["manager_a"],
        hall=world["hall_a"],
        title="座椅稳固性检查",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        dtstart=datetime(2026, 11, 2, 9, 0, tzinfo=SH),
        checklist=WEEKLY_CHECKLIST,
        kind="seats",
        **kw,
    )


def monthly_filter(world, fac):
    return plan_create(
        user=world["manager_a"],
        hall=world["hall_a"],
        title="饮水机滤芯检查",
        rrule="FREQ=MONTHLY",
        dtstart=datetime(2026, 10, 31, 10, 0, tzinfo=SH),
        checklist=FILTER_CHECKLIST,
        facility=fac["water"],
    )


@time_machine.travel(T0, tick=False)
def test_env_2_1_sweep_generates_two_weeks_ahead_per_facility_of_the_kind(world, fac):
    plan = weekly_seats(world)
    result = maintenance_sweep(now=T0)
    occ = Occurrence.objects.filter(plan=plan).order_by("window_start", "facility_id")
    # Mondays 7, 14, 21 Dec inside 14 days from 7 Dec 08:00 (7 Dec 09:00 … 21 Dec 08:00 → 7 and 14), two seat rows.
    assert result["generated"] == 4
    assert sorted({o.window_start.astimezone(SH).day for o in occ}) == [7, 14]
    assert {o.facility_id for o in occ} == {fac["seats1"].pk, fac["seats2"].pk}
    assert all(o.window_end - o.window_start == timedelta(hours=24) for o in occ)
    # a second pass writes nothing
    again = maintenance_sweep(now=T0)
    assert again["generated"] == 0 and again["plans"] == 0
    assert Occurrence.objects.count() == 4


@time_machine.travel(T0, tick=False)
def test_env_2_1_monthly_filter_check_on_calendar_months(world, fac):
    plan = monthly_filter(world, fac)
    for day in range(0, 140, 5):
        maintenance_sweep(now=T0 + timedelta(days=day))
    days = [o.window_start.astimezone(SH).date() for o in Occurrence.objects.filter(plan=plan)]
    # made on 7 Dec: from then on the 31st, or the last day of a shorter month
    assert [(d.month, d.day) for d in days] == [(12, 31), (1, 31), (2, 28), (3, 31), (4, 30)]


@pytest.mark.django_db(transaction=True)
def test_env_2_1_two_concurrent_sweeps_never_duplicate(world, fac):
    with time_machine.travel(T0, tick=False):
        weekly_seats(world)
        monthly_filter(world, fac)
    barrier = threading.Barrier(2)
    errors, results = [], []

    def run():
        try:
            barrier.wait()
            results.append(maintenance_sweep(now=T0 + timedelta(hours=2)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert (
        Occurrence.objects.count() == 6
    )  # Mondays 7, 14 and 21 Dec × two seat rows (31 Dec is past the horizon)
    keys = list(Occurrence.objects.values_list("plan_id", "facility_id", "window_start"))
    assert len(keys) == len(set(keys))
    # the window that opened at 09:00 has exactly one due clock per facility
    assert Clock.objects.filter(target=Target.FACILITY_CHECK).count() == 2


@time_machine.travel(T0, tick=False)
def test_env_2_1_plan_change_regenerates_only_future_open_occurrences(world, fac):
    plan = weekly_seats(world)
    maintenance_sweep(now=T0)
    now = T0 + timedelta(hours=2)  # Monday 10:00: this week's window is open
    with time_machine.travel(now, tick=False):
        maintenance_sweep(now=now)
        current = Occurrence.objects.filter(plan=plan, window_start__lte=now)
        done = current.first()
        occurrence_complete(user=world["manager_a"], occurrence=done, answers={"k1": "pass", "k2": "pass"})
        plan = plan_update(
            user=world["manager_a"],
            plan=plan,
            rrule="FREQ=WEEKLY;BYDAY=WE",
            checklist=[{"label": "座椅稳固"}, {"label": "无破损"}, {"label": "扶手完好"}],
        )
    assert plan.version == 2
    # this week's two (one done, one open and due) keep their version and their two-item checklist
    kept = Occurrence.objects.filter(plan=plan, window_start__lte=now)
    assert kept.count() == 2 and {o.plan_version for o in kept} == {1}
    assert all(len(o.checklist) == 2 for o in kept)
    future = Occurrence.objects.filter(plan=plan, window_start__gt=now)
    assert future.exists() and {o.window_start.astimezone(SH).weekday() for o in future} == {2}
    assert {o.plan_version for o in future} == {2} and all(len(o.checklist) == 3 for o in future)
    # and a sweep at the same moment changes nothing
    before = set(Occurrence.objects.values_list("pk", flat=True))
    maintenance_sweep(now=now)
    assert set(Occurrence.objects.values_list("pk", flat=True)) == before


@time_machine.travel(T0, tick=False)
def test_env_2_1_frozen_checklist_copy_survives_plan_edit(world, fac):
    plan = monthly_filter(world, fac)
    maintenance_sweep(now=T0 + timedelta(days=30))
    occ = Occurrence.objects.get(plan=plan, window_start__month=12)
    with time_machine.travel(occ.window_start + timedelta(hours=1), tick=False):
        occurrence_complete(user=world["manager_a"], occurrence=occ, answers={"filter": "pass", "tds": "12"})
        plan_update(user=world["manager_a"], plan=plan, checklist=[{"label": "全新检查项"}])
    occ.refresh_from_db()
    assert [i["label"] for i in occ.checklist] == ["滤芯在有效期内", "出水TDS"]
    assert occ.answers == {"filter": {"result": "pass"}, "tds": {"value": 12.0, "result": "pass"}}


@time_machine.travel(T0, tick=False)
def test_env_2_1_early_and_late_completion_never_move_the_schedule(world, fac):
    """OCA maintenance #161: the next due date never follows the completion."""
    plan = weekly_seats(world)
    maintenance_sweep(now=T0)
    schedule = sorted(set(Occurrence.objects.filter(plan=plan).values_list("window_start", flat=True)))
    first = Occurrence.objects.filter(plan=plan, facility=fac["seats1"]).order_by("window_start")[0]
    second = Occurrence.objects.filter(plan=plan, facility=fac["seats2"]).order_by("window_start")[0]
    with time_machine.travel(first.window_start + timedelta(minutes=5), tick=False):  # early in the window
        occurrence_complete(user=world["manager_a"], occurrence=first, answers={"k1": "pass", "k2": "na"})
    late = second.window_end + timedelta(hours=30)
    with time_machine.travel(late, tick=False):
        maintenance_sweep(now=late)
        occurrence_complete(user=world["manager_a"], occurrence=second, answers={"k1": "pass", "k2": "pass"})
        maintenance_sweep(now=late)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.on_time is True and second.on_time is False
    new_schedule = sorted(set(Occurrence.objects.filter(plan=plan).values_list("window_start", flat=True)))
    assert new_schedule[: len(schedule)] == schedule
    assert all(d.astimezone(SH).weekday() == 0 and d.astimezone(SH).hour == 9 for d in new_schedule)
    clock = Clock.objects.get(target=Target.FACILITY_CHECK, object_id=second.pk)
    assert clock.status == ClockStatus.MET and clock.breached_at is not None  # overdue on the SLA engine


@time_machine.travel(T0, tick=False)
def test_env_2_1_failed_item_needs_a_photo_and_opens_a_fault(world, fac, private_media, fresh_bus):
    plan = monthly_filter(world, fac)
    maintenance_sweep(now=T0 + timedelta(days=30))
    occ = Occurrence.objects.get(plan=plan, window_start__month=12)
    with time_machine.travel(occ.window_start + timedelta(hours=1), tick=False):
        with pytest.raises(ServiceError) as exc:
            occurrence_complete(
                user=world["manager_a"], occurrence=occ, answers={"filter": "pass", "tds": "80"}
            )
        assert exc.value.code == "photo_required" and exc.value.field == "tds"
        occ.refresh_from_db()
        assert occ.status == OccurrenceStatus.OPEN and not Fault.objects.exists()  # nothing half-saved
        occurrence_complete(
            user=world["manager_a"],
            occurrence=occ,
            answers={"filter": "pass", "tds": "80"},
            photos={"tds": png()},
        )
    occ.refresh_from_db()
    assert occ.passed is False and occ.answers["tds"] == {"value": 80.0, "result": "fail"}
    assert occ.photos.count() == 1 and occ.photos.get().item_key == "tds"
    fault = Fault.objects.get(facility=fac["water"])
    assert fault.status == FaultStatus.OPEN and fault.occurrence == occ and fault.source == "checklist"


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    "answers,code",
    [
        ({}, "answer_required"),
        ({"filter": "ok", "tds": "1"}, "answer_required"),
        ({"filter": "pass", "tds": "abc"}, "answer_number"),
        ({"filter": "pass", "tds": "nan"}, "answer_number"),
    ],
)
def test_env_2_1_bad_answers_are_refused(world, fac, answers, code):
    plan = monthly_filter(world, fac)
    maintenance_sweep(now=T0 + timedelta(days=30))
    occ = Occurrence.objects.get(plan=plan, window_start__month=12)
    with time_machine.travel(occ.window_start + timedelta(hours=1), tick=False):
        with pytest.raises(ServiceError) as exc:
            occurrence_complete(user=world["manager_a"], occurrence=occ, answers=answers)
    assert exc.value.code == code
    occ.refresh_from_db()
    assert occ.status == OccurrenceStatus.OPEN


@time_machine.travel(T0, tick=False)
def test_env_2_1_not_before_the_window_and_not_twice(world, fac):
    plan = weekly_seats(world)
    maintenance_sweep(now=T0)
    occ = Occurrence.objects.filter(plan=plan).order_by("window_start")[0]
    with pytest.raises(ServiceError) as exc:
        occurrence_complete(user=world["manager_a"], occurrence=occ, answers={"k1": "pass", "k2": "pass"})
    assert exc.value.code == "not_due_yet"
    with time_machine.travel(occ.window_start, tick=False):
        occurrence_complete(user=world["manager_a"], occurrence=occ, answers={"k1": "pass", "k2": "pass"})
        with pytest.raises(Conflict):
            occurrence_complete(user=world["manager_a"], occurrence=occ, answers={"k1": "pass", "k2": "pass"})


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    "kw,code",
    [
        ({"rrule": "FREQ=SECONDLY"}, "rrule_frequency"),
        ({"checklist": []}, "checklist_required"),
        ({"checklist": [{"label": "x", "type": "number", "min": 5, "max": 1}]}, "checklist_range"),
        ({"checklist": [{"label": "x", "type": "colour"}]}, "checklist_invalid"),
        ({"kind": "", "facility": None}, "plan_target"),
        ({"kind": "spaceship"}, "kind_invalid"),
        ({"dtstart": datetime(2026, 12, 1, 9, 0)}, "dtstart_invalid"),
    ],
)
def test_plan_bad_input(world, fac, kw, code):
    args = (
        dict(
            user=world["manager_a"],
            hall=world["hall_a"],
            title="t",
            rrule="FREQ=WEEKLY",
            dtstart=T0,
            checklist=[{"label": "a"}],
            kind="seats",
        )
        | kw
    )
    with pytest.raises(ServiceError) as exc:
        plan_create(**args)
    assert exc.value.code == code
    assert not MaintenancePlan.objects.exists()


@time_machine.travel(T0, tick=False)
def test_plan_personas(world, fac):
    for who, err in [
        ("clerk_a", Forbidden),
        ("clerk_b", NotFound),
        ("inspector", Forbidden),
        ("auditor", Forbidden),
    ]:
        with pytest.raises(err):
            weekly_seats({**world, "manager_a": world[who]})
    plan = weekly_seats(world)
    maintenance_sweep(now=T0)
    occ = Occurrence.objects.filter(plan=plan).order_by("window_start")[0]
    with time_machine.travel(occ.window_start, tick=False):
        for who, err in [("clerk_b", NotFound), ("auditor", Forbidden), ("inspector", Forbidden)]:
            with pytest.raises(err):
                occurrence_complete(user=world[who], occurrence=occ, answers={"k1": "pass", "k2": "pass"})
        occurrence_complete(user=world["greeter_a"], occurrence=occ, answers={"k1": "pass", "k2": "pass"})
