"""SUP-1.1 self-inspection: frozen template copies, repeats, conduct findings, rectification items, the weekly
obligation and rectification deadlines through the sweep with frozen time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inspections import services as s
from inspections.models import (
    ConductFinding,
    InspectionTemplate,
    Item,
    ObligationStatus,
    Rectification,
    RectificationStatus,
    TemplateKind,
    WeeklyObligation,
)
from lib.errors import ServiceError
from sla.models import Clock, ClockEvent, EventKind, Target
from sla.services import sla_sweep
from tests.inspections.conftest import all_pass, fake_exe, png

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=SH)


@pytest.fixture
def run(world):
    with time_machine.travel(MONDAY, tick=False):
        yield s.inspection_start(hall=world["hall_a"], actor=world["manager_a"])


def test_sup_1_1_run_keeps_frozen_copy_when_template_changes(world, run):
    """Editing the bank and publishing a new version never changes a past run's copy or score."""
    with time_machine.travel(MONDAY, tick=False):
        done = s.inspection_submit(inspection=run, answers=all_pass(run.snapshot), actor=world["manager_a"])
    before = (list(done.snapshot), done.score_num, done.score_den)
    Item.objects.filter(code="ENV-CLEAN").update(weight=10, text="改过的文字")
    template = InspectionTemplate.objects.get(kind=TemplateKind.SELF_INSPECTION)
    v2 = s.template_publish(template=template, item_codes=["ENV-CLEAN", "STF-GREET"], actor=world["hq"])
    assert v2.number == 2 and v2.items[0]["weight"] == 10
    done.refresh_from_db()
    assert (done.snapshot, done.score_num, done.score_den) == before
    assert next(i for i in done.snapshot if i["code"] == "ENV-CLEAN")["text"] == "大厅地面、台面整洁，无杂物"
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        nxt = s.inspection_start(hall=world["hall_a"], actor=world["manager_a"])
    assert nxt.template_version == v2 and len(nxt.snapshot) == 2


def test_sup_1_1_failed_critical_and_findings(world, run):
    answers = all_pass(
        run.snapshot,
        **{
            "ENV-SAFE": {"result": "fail", "photo": png(), "facility": "3号消防通道"},
            "STF-GREET": {"result": "fail", "clerk": world["clerk_a"].pk},
            "BIZ-WAIT": {"result": "na"},
        },
    )
    with time_machine.travel(MONDAY, tick=False):
        done = s.inspection_submit(inspection=run, answers=answers, actor=world["manager_a"])
    assert done.failed_critical and done.outcome == "failed"
    assert done.score_den == sum(
        i["weight"] * i["max_score"] for i in done.snapshot if i["code"] != "BIZ-WAIT"
    )
    finding = ConductFinding.objects.get()
    assert (finding.clerk, finding.source, finding.item, finding.hall) == (
        world["clerk_a"],
        "self_inspection",
        "STF-GREET",
        world["hall_a"],
    )
    rects = Rectification.objects.filter(inspection=done)
    assert rects.count() == 2
    rect = rects.get(item_code="ENV-SAFE")
    # Deadline from the standard's rectification.default_days (3).
    assert rect.deadline == MONDAY + timedelta(days=3)
    assert Clock.objects.get(target=Target.RECTIFICATION, object_id=rect.pk).deadline == rect.deadline
    assert done.answers.get(item_code="ENV-SAFE").facility_name == "3号消防通道"


def test_sup_1_1_photo_required_on_fail_and_nothing_half_saved(world, run):
    answers = all_pass(run.snapshot, **{"ENV-CLEAN": {"result": "fail"}})
    with pytest.raises(ServiceError) as exc:
        s.inspection_submit(inspection=run, answers=answers, actor=world["manager_a"])
    assert exc.value.code == "photo_required" and exc.value.field == "ENV-CLEAN"
    answers["ENV-CLEAN"]["photo"] = fake_exe()
    with pytest.raises(ServiceError) as exc:
        s.inspection_submit(inspection=run, answers=answers, actor=world["manager_a"])
    assert exc.value.code == "file_type"
    run.refresh_from_db()
    assert run.status == "draft" and not run.answers.exists() and not Rectification.objects.exists()


def test_sup_1_1_cited_clerk_must_be_of_the_hall(world, run):
    answers = all_pass(run.snapshot, **{"STF-GREET": {"result": "fail", "clerk": world["clerk_b"].pk}})
    with pytest.raises(ServiceError) as exc:
        s.inspection_submit(inspection=run, answers=answers, actor=world["manager_a"])
    assert exc.value.code == "not_hall_staff"


def test_sup_1_1_clerk_cannot_inspect_and_submit_twice_conflicts(world, run):
    from lib.errors import Forbidden

    with pytest.raises(Forbidden):
        s.inspection_start(hall=world["hall_a"], actor=world["clerk_a"])
    with time_machine.travel(MONDAY, tick=False):
        s.inspection_submit(inspection=run, answers=all_pass(run.snapshot), actor=world["manager_a"])
        with pytest.raises(ServiceError) as exc:
            s.inspection_submit(inspection=run, answers=all_pass(run.snapshot), actor=world["manager_a"])
    assert exc.value.code == "already_submitted"


def test_sup_1_1_repeat_findings_are_marked(world, run):
    fail = {"STF-PLAIN": {"result": "fail"}}
    with time_machine.travel(MONDAY, tick=False):
        s.inspection_submit(inspection=run, answers=all_pass(run.snapshot, **fail), actor=world["manager_a"])
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        second = s.inspection_start(hall=world["hall_a"], actor=world["manager_a"])
        second = s.inspection_submit(
            inspection=second, answers=all_pass(second.snapshot, **fail), actor=world["manager_a"]
        )
    assert second.answers.get(item_code="STF-PLAIN").repeat
    assert Rectification.objects.filter(inspection=second, repeat=True).count() == 1
    assert not Rectification.objects.get(inspection=run).repeat


def test_sup_1_1_weekly_obligation_flagged_and_escalated_through_the_sweep(world):
    """A week without a self-inspection warns, breaches (flagged as missed) and escalates, each once."""
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        first = s.inspection_sweep()
        again = s.inspection_sweep()
    assert first["created"] == 3 and again["created"] == 0
    ob = WeeklyObligation.objects.get(hall=world["hall_a"])
    assert ob.due_at == datetime(2026, 11, 9, 0, 0, tzinfo=SH)
    clock = Clock.objects.get(target=Target.SELF_INSPECTION_WEEKLY, object_id=ob.pk)
    assert clock.deadline == ob.due_at
    with time_machine.travel(datetime(2026, 11, 7, 12, 0, tzinfo=SH), tick=False):
        assert sla_sweep()["warned"] == 3
        assert sla_sweep()["warned"] == 0
    with time_machine.travel(datetime(2026, 11, 9, 1, 0, tzinfo=SH), tick=False):
        result = s.inspection_sweep()
        assert result["missed"] == 3 and result["created"] == 3  # the new week's obligations
        swept = sla_sweep()
        assert swept["breached"] == 3
        assert sla_sweep()["breached"] == 0
    ob.refresh_from_db()
    assert ob.status == ObligationStatus.MISSED and ob.flagged_at is not None
    assert ClockEvent.objects.filter(clock=clock, kind=EventKind.BREACHED).count() == 1


def test_sup_1_1_inspection_meets_the_weekly_obligation(world, run):
    with time_machine.travel(MONDAY, tick=False):
        s.inspection_sweep()
        s.inspection_submit(inspection=run, answers=all_pass(run.snapshot), actor=world["manager_a"])
    ob = WeeklyObligation.objects.get(hall=world["hall_a"], week_start=run.week_start)
    assert ob.status == ObligationStatus.DONE and ob.inspection == run
    assert Clock.objects.get(target=Target.SELF_INSPECTION_WEEKLY, object_id=ob.pk).status == "met"
    with time_machine.travel(datetime(2026, 11, 9, 1, 0, tzinfo=SH), tick=False):
        assert s.inspection_sweep()["missed"] == 2  # halls B and C only


def test_sup_1_1_rectification_deadline_complete_verify(world, run):
    with time_machine.travel(MONDAY, tick=False):
        done = s.inspection_submit(
            inspection=run,
            answers=all_pass(run.snapshot, **{"STF-PLAIN": {"result": "fail", "owner": world["clerk_a"].pk}}),
            actor=world["manager_a"],
        )
    rect = Rectification.objects.get(inspection=done)
    assert rect.owner == world["clerk_a"]
    with time_machine.travel(MONDAY + timedelta(days=2, hours=12), tick=False):
        assert sla_sweep()["warned"] == 1
    with time_machine.travel(MONDAY + timedelta(days=3, hours=1), tick=False):
        swept = sla_sweep()
        assert swept["breached"] == 1 and swept["escalated"] == 1
        assert sla_sweep() == {"checked": 0, "warned": 0, "breached": 0, "escalated": 0, "skipped": 0}
        assert rect.is_overdue()
        with pytest.raises(ServiceError) as exc:
            s.rectification_complete(rectification=rect, actor=world["clerk_a"], photo=None)
        assert exc.value.code == "photo_required"
        with pytest.raises(ServiceError):
            s.rectification_complete(rectification=rect, actor=world["clerk_b"], photo=png())
        rect = s.rectification_complete(
            rectification=rect, actor=world["clerk_a"], photo=png(), note="已培训"
        )
        assert rect.status == RectificationStatus.COMPLETED and rect.evidence.name
        with pytest.raises(ServiceError):
            s.rectification_verify(rectification=rect, actor=world["clerk_a"], accept=True)
        with pytest.raises(ServiceError) as exc:
            s.rectification_verify(rectification=rect, actor=world["manager_a"], accept=False)
        assert exc.value.code == "reason_required"
        rect = s.rectification_verify(
            rectification=rect, actor=world["manager_a"], accept=False, reason="照片不清"
        )
        assert rect.status == RectificationStatus.OPEN and rect.returned_count == 1
        rect = s.rectification_complete(rectification=rect, actor=world["clerk_a"], photo=png())
        rect = s.rectification_verify(rectification=rect, actor=world["manager_a"], accept=True)
    assert rect.status == RectificationStatus.VERIFIED and rect.verified_by == world["manager_a"]
    clocks = Clock.objects.filter(target=Target.RECTIFICATION, object_id=rect.pk).order_by("cycle")
    assert [c.status for c in clocks] == ["met", "met"]


def test_stf_1_appearance_check_miss_is_a_conduct_finding(world):
    from staff.models import HallRole
    from tests import factories as f

    clerk2 = f.user("clerk_a2", hall_roles=[(world["hall_a"], HallRole.CLERK)])
    with time_machine.travel(MONDAY, tick=False):
        checks = s.appearance_record(
            hall=world["hall_a"],
            actor=world["supervisor_a"],
            clerk_ids=[world["clerk_a"].pk, clerk2.pk],
            missed={clerk2.pk: ["APP-BADGE"]},
        )
        assert len(checks) == 2
        again = s.appearance_record(
            hall=world["hall_a"], actor=world["supervisor_a"], clerk_ids=[clerk2.pk], missed={}
        )
        assert again == []  # first check of the day wins
        with pytest.raises(ServiceError) as exc:
            s.appearance_record(
                hall=world["hall_a"], actor=world["supervisor_a"], clerk_ids=[world["clerk_b"].pk], missed={}
            )
        assert exc.value.code == "not_hall_staff"
        with pytest.raises(ServiceError) as exc:
            s.appearance_record(hall=world["hall_a"], actor=world["supervisor_a"], clerk_ids=[], missed={})
        assert exc.value.code == "clerks_required"
        with pytest.raises(ServiceError):
            s.appearance_record(
                hall=world["hall_a"], actor=world["clerk_a"], clerk_ids=[clerk2.pk], missed={}
            )
    finding = ConductFinding.objects.get()
    assert (finding.clerk, finding.source, finding.item) == (clerk2, "appearance_check", "APP-BADGE")
    assert checks[1].passed_count == 4 and checks[1].item_count == 5


def test_sup_1_1_env_2_2_failed_facility_item_opens_a_fault_on_that_facility(world, run):
    """A failed environment item that names a registered facility of the hall reports a fault on it (ENV-2.2);
    a facility of another hall is refused and nothing is saved."""
    from facilities.models import Fault, FaultSource
    from inspections.models import Answer, Inspection, RunStatus
    from tests.facilities.conftest import make_facility

    seats = make_facility(world["hall_a"], world["manager_a"], label="等候区座椅")
    elsewhere = make_facility(world["hall_b"], world["manager_a"], label="乙厅饮水机")
    bad = all_pass(
        run.snapshot, **{"ENV-SAFE": {"result": "fail", "photo": png(), "facility_id": elsewhere.pk}}
    )
    with time_machine.travel(MONDAY, tick=False), pytest.raises(ServiceError) as err:
        s.inspection_submit(inspection=run, answers=bad, actor=world["manager_a"])
    assert err.value.code == "not_hall_facility"
    assert Inspection.objects.get(pk=run.pk).status == RunStatus.DRAFT and not Fault.objects.exists()

    good = all_pass(run.snapshot, **{"ENV-SAFE": {"result": "fail", "photo": png(), "facility_id": seats.pk}})
    with time_machine.travel(MONDAY, tick=False):
        s.inspection_submit(inspection=run, answers=good, actor=world["manager_a"])
    fault = Fault.objects.get(facility=seats)
    assert fault.source == FaultSource.SELF_INSPECTION and fault.hall_id == world["hall_a"].pk
    answer = Answer.objects.get(inspection=run, item_code="ENV-SAFE")
    assert answer.fault == fault and answer.facility_name == "等候区座椅"
