"""SUP-2 three-month rule: flagged on the 1st after three months below target; an insufficient month in the middle
breaks the run unless its Wilson interval lies wholly below target; the hall is flagged to the region; the manager
decides with a reason (retraining goes to the training app, absent in this branch → a clear error)."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.models import DailyRollup, Decision, Flag, FlagStatus, Subject
from kpi.rollup import kpi_rollup_sweep
from kpi.services import flag_decide, flag_follow_up
from lib.errors import Forbidden, NotFound, ServiceError
from tests.kpi.conftest import sh

MONTHS = [date(2026, 9, 3), date(2026, 10, 3), date(2026, 11, 3)]


def _roll(hall, clerk, day, num, den):
    DailyRollup.objects.create(
        day=day,
        hall=hall,
        region_id=hall.region_id,
        clerk=clerk,
        kpi="on_time",
        source="ticket",
        numerator=num,
        denominator=den,
    )


@pytest.fixture
def history(world):
    a, b, sup = world["clerk_a"], world["clerk_b"], world["supervisor_a"]
    plan = {
        a: [(90, 100), (9, 10), (90, 100)],  # the middle month is insufficient and could still be ≥ 98 %
        b: [(90, 100), (2, 10), (90, 100)],  # the middle month is insufficient but surely below
        sup: [(90, 100), (90, 100), (90, 100)],
    }
    for clerk, months in plan.items():
        hall = world["hall_b"] if clerk == b else world["hall_a"]
        for day, (num, den) in zip(MONTHS, months, strict=True):
            _roll(hall, clerk, day, num, den)
    return world


@pytest.mark.django_db
def test_sup2_three_month_rule_with_an_insufficient_month_in_the_middle(history, time_machine):
    w = history
    time_machine.move_to(sh(2026, 12, 1, 2, 0), tick=False)
    result = kpi_rollup_sweep()
    assert result["flags"] > 0
    clerk_flags = {f.clerk_id for f in Flag.objects.filter(subject=Subject.CLERK, kpi="on_time")}
    assert clerk_flags == {w["clerk_b"].pk, w["supervisor_a"].pk}
    halls = {f.hall_id for f in Flag.objects.filter(subject=Subject.HALL, kpi="on_time")}
    assert halls == {w["hall_a"].pk, w["hall_b"].pk}  # hall A pooled: 180/200, 99/110, 180/200 — all below
    flag = Flag.objects.get(subject=Subject.CLERK, clerk=w["supervisor_a"])
    assert flag.month == date(2026, 11, 1) and [m["month"] for m in flag.months] == [
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    # once a month: the next pass does not flag again
    assert kpi_rollup_sweep()["flags"] == 0


@pytest.mark.django_db
def test_sup2_manager_decides_with_reason(history, time_machine):
    w = history
    time_machine.move_to(sh(2026, 12, 1, 2, 0), tick=False)
    kpi_rollup_sweep()
    flag = Flag.objects.get(subject=Subject.CLERK, clerk=w["supervisor_a"])
    with pytest.raises(ServiceError) as e:
        flag_decide(flag=flag, actor=w["manager_a"], decision=Decision.REASSIGNMENT, reason="  ")
    assert e.value.code == "reason_required"
    with pytest.raises(ServiceError):
        flag_decide(flag=flag, actor=w["manager_a"], decision="fire", reason="x")
    with pytest.raises(Forbidden):
        flag_decide(flag=flag, actor=w["clerk_a"], decision=Decision.REASSIGNMENT, reason="x")
    with pytest.raises(NotFound):
        flag_decide(flag=flag, actor=w["clerk_b"], decision=Decision.REASSIGNMENT, reason="x")
    flag = flag_decide(
        flag=flag, actor=w["manager_a"], decision=Decision.REASSIGNMENT, reason="调至引导岗位三个月"
    )
    assert flag.status == FlagStatus.DECIDED and flag.reason == "调至引导岗位三个月"
    flag = flag_follow_up(flag=flag, actor=w["manager_a"], note="已调岗,一月复核", close=True)
    assert flag.status == FlagStatus.CLOSED and "一月复核" in flag.follow_up
    hall_flag = Flag.objects.get(subject=Subject.HALL, hall=w["hall_a"])
    with pytest.raises(Forbidden):  # a hall's flag goes to the region
        flag_decide(flag=hall_flag, actor=w["manager_a"], decision=Decision.REGION_REVIEW, reason="x")
    flag_decide(
        flag=hall_flag, actor=w["inspector"], decision=Decision.REGION_REVIEW, reason="区域督导驻厅整改"
    )


@pytest.mark.django_db
def test_sup2_retraining_decision_assigns_a_retraining_in_the_training_app(history, time_machine):
    """SUP-2 → STF-3.1: deciding retraining assigns it through training.services.retraining_assign."""
    from training.models import RetrainingAssignment

    w = history
    time_machine.move_to(sh(2026, 12, 1, 2, 0), tick=False)
    kpi_rollup_sweep()
    flag = Flag.objects.get(subject=Subject.CLERK, clerk=w["supervisor_a"])
    flag = flag_decide(flag=flag, actor=w["manager_a"], decision=Decision.RETRAINING, reason="服务规范再培训")
    assignment = RetrainingAssignment.objects.get(clerk=w["supervisor_a"], hall=w["hall_a"])
    assert flag.status == FlagStatus.DECIDED and flag.retraining == assignment
    assert assignment.reason == "服务规范再培训" and assignment.assigned_by == w["manager_a"]


@pytest.mark.django_db
def test_sup2_flag_register_lists_next_months_and_exports(history, client, time_machine):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.conftest import login

    w = history
    time_machine.move_to(sh(2026, 12, 1, 2, 0), tick=False)
    kpi_rollup_sweep()
    _roll(w["hall_a"], w["supervisor_a"], date(2026, 12, 1), 40, 40)  # December so far: back on target
    login(client, w["manager_a"])
    flags = client.get("/api/v1/kpi/flags?subject=clerk").json()
    assert [f["clerk_id"] for f in flags] == [
        w["supervisor_a"].pk
    ]  # hall B's clerk is not in the manager's scope
    assert flags[0]["since"] == [{"month": "2026-12", "pct": 100.0, "status": "met"}]
    page = client.get("/kpi/flags/")
    assert page.status_code == 200 and "2026-12" in page.content.decode()
    login(client, w["hq"])
    sheet = load_workbook(BytesIO(client.get("/kpi/flags/?format=xlsx").content)).active
    assert sheet.max_row == 1 + Flag.objects.count()
    login(client, w["clerk_a"])
    assert client.get("/kpi/flags/?format=xlsx").status_code == 403
