"""CMP-1, CMP-2.1, CMP-2.2, CMP-3: the complaint workflow end to end at service level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import services as s
from complaints.models import ComplaintEvent, EventKind, Kind, Status
from lib.errors import Conflict, ServiceError
from notify.models import Notification
from sla.models import Clock, ClockStatus, Target


def _clocks(complaint):
    from sla.services import clocks_for

    return list(clocks_for(complaint))


@pytest.mark.django_db
def test_intake_numbers_per_hall_and_day_and_queues_receipt_sms(world, intake):
    """CMP-1: numbered TS-<hall>-<date>-<seq>, clocks started, receipt SMS in the outbox."""
    first = intake()
    second = intake()
    day = timezone.localdate(first.accepted_at).strftime("%Y%m%d")
    assert first.number == f"TS-HA-{day}-0001"
    assert second.number == f"TS-HA-{day}-0002"
    assert first.kind == Kind.GENERAL and first.status == Status.ACCEPTED
    targets = {c.target: c for c in _clocks(first)}
    assert set(targets) == {Target.COMPLAINT_FIRST_CONTACT, Target.COMPLAINT_GENERAL_SOLUTION}
    assert targets[Target.COMPLAINT_FIRST_CONTACT].deadline == first.accepted_at + timedelta(hours=2)
    assert targets[Target.COMPLAINT_GENERAL_SOLUTION].deadline == first.accepted_at + timedelta(hours=24)
    sms = Notification.objects.get(dedupe_key=f"complaint:{first.pk}:receipt")
    assert first.number in sms.body and "13800138001" not in sms.body


@pytest.mark.django_db
def test_general_complaint_workflow_end_to_end(world, intake):
    """CMP-2.1/2.2/3: contact meets 2 h, solution told by SMS meets 24 h, closed with the customer's response."""
    c = intake()
    s.complaint_classify(complaint=c, kind=Kind.GENERAL, actor=world["supervisor_a"])
    s.complaint_contact(complaint=c, actor=world["supervisor_a"], note="已电话联系客户,确认扣费情况")
    assert c.status == Status.CONTACTED
    s.complaint_solve(
        complaint=c,
        actor=world["supervisor_a"],
        cause="套餐变更工单未同步至计费系统",
        solution="已补做变更并退还多扣的30元",
        compensation="赠送5GB流量",
        follow_up="下月账单出账后回访确认",
        responsibility="company",
        company_at_fault=True,
        apologised=True,
        notify_by="sms",
    )
    c.refresh_from_db()
    assert c.status == Status.NOTIFIED
    assert Notification.objects.filter(dedupe_key=f"complaint:{c.pk}:solution:0").exists()
    states = {clk.target: clk.status for clk in _clocks(c)}
    assert states == {
        Target.COMPLAINT_FIRST_CONTACT: ClockStatus.MET,
        Target.COMPLAINT_GENERAL_SOLUTION: ClockStatus.MET,
    }
    s.complaint_close(complaint=c, actor=world["manager_a"], customer_response="accepted")
    assert c.status == Status.CLOSED and c.closed_at is not None
    kinds = list(ComplaintEvent.objects.filter(complaint=c).values_list("kind", flat=True))
    assert kinds == [
        EventKind.ACCEPTED,
        EventKind.RECEIPT,
        EventKind.CLASSIFIED,
        EventKind.CONTACTED,
        EventKind.SOLUTION,
        EventKind.NOTIFIED,
        EventKind.CLOSED,
    ]


@pytest.mark.django_db
def test_complex_complaint_needs_task_force_and_progress_restarts_72h_clock(world, intake, time_machine):
    """CMP-2.1: complex → task force, each progress report meets the current 72 h clock and starts the next."""
    time_machine.move_to(timezone.now(), tick=False)
    c = intake(
        demand="合约机提前解约被收取高额违约金,营业员当时没有说明合约期", business_type=world["complex"]
    )
    assert c.kind == Kind.COMPLEX
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系客户")
    with pytest.raises(ServiceError) as err:
        s.complaint_solve(
            complaint=c,
            actor=sup,
            cause="未告知",
            solution="减免违约金",
            responsibility="staff",
            company_at_fault=True,
            apologised=True,
        )
    assert err.value.code == "task_force_required"
    s.complaint_task_force(complaint=c, actor=sup, leader=world["manager_a"], members=[world["clerk_a"]])
    time_machine.shift(timedelta(hours=50))
    s.complaint_progress(complaint=c, actor=sup, progress="已调取签约录音,正在核实")
    progress = [k for k in _clocks(c) if k.target == Target.COMPLAINT_COMPLEX_PROGRESS]
    assert [k.status for k in sorted(progress, key=lambda k: k.cycle)] == [
        ClockStatus.MET,
        ClockStatus.RUNNING,
    ]
    assert max(progress, key=lambda k: k.cycle).deadline == timezone.now() + timedelta(hours=72)
    assert Notification.objects.filter(template="complaint_progress_sms").count() == 1


@pytest.mark.django_db
def test_cmp22_requires_apology_or_policy_basis_and_alternative(world, intake):
    """CMP-2.2: at fault → apologise; beyond policy → explain the basis and offer an alternative."""
    c = intake()
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系")
    base = {"complaint": c, "actor": sup, "cause": "原因", "solution": "方案", "responsibility": "customer"}
    with pytest.raises(ServiceError) as err:
        s.complaint_solve(**base, company_at_fault=True, apologised=False)
    assert err.value.code == "apology_required"
    with pytest.raises(ServiceError) as err:
        s.complaint_solve(**base, company_at_fault=False, policy_basis="合约条款第5条")
    assert err.value.code == "alternative_required"
    c.refresh_from_db()
    assert c.status == Status.CONTACTED  # nothing half-saved
    s.complaint_solve(
        **base, company_at_fault=False, policy_basis="合约条款第5条", alternative="可办理停机保号降低费用"
    )
    assert c.status == Status.SOLVED and c.apologised is False


@pytest.mark.django_db
def test_clerk_cannot_handle_and_other_hall_is_not_found(world, intake):
    from lib.errors import Forbidden, NotFound

    c = intake()
    with pytest.raises(Forbidden):
        s.complaint_contact(complaint=c, actor=world["clerk_a"], note="联系")
    with pytest.raises(NotFound):
        s.complaint_contact(complaint=c, actor=world["clerk_b"], note="联系")


@pytest.mark.django_db
def test_reopen_starts_new_clocks(world, intake):
    c = intake()
    sup, mgr = world["supervisor_a"], world["manager_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系")
    s.complaint_solve(
        complaint=c,
        actor=sup,
        cause="工单未同步",
        solution="已处理",
        responsibility="company",
        company_at_fault=True,
        apologised=True,
        notify_by="written",
    )
    s.complaint_close(complaint=c, actor=mgr, customer_response="accepted")
    with pytest.raises(Conflict):
        s.complaint_contact(complaint=c, actor=sup, note="再联系")
    s.complaint_reopen(complaint=c, actor=sup, reason="客户来电反映问题再次出现")
    assert c.status == Status.ACCEPTED and c.reopen_count == 1
    open_targets = {k.target for k in Clock.objects.for_subject(c).open()}
    assert open_targets == {Target.COMPLAINT_FIRST_CONTACT, Target.COMPLAINT_GENERAL_SOLUTION}


def _notified(world, intake):
    c = intake()
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系")
    s.complaint_solve(
        complaint=c,
        actor=sup,
        cause="工单未同步",
        solution="已处理",
        responsibility="company",
        company_at_fault=True,
        apologised=True,
        notify_by="written",
    )
    return c


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kw, code",
    [
        ({}, "next_step_required"),
        ({"next_step": "reopen"}, "confirm_required"),
        ({"next_step": "escalate", "confirmed": True}, "reason_required"),
        ({"next_step": "bogus", "confirmed": True, "note": "客户坚持退费"}, "next_step_required"),
    ],
)
def test_closing_as_not_accepted_needs_confirmation_reason_and_next_step(world, intake, kw, code):
    """Issue 10 §2 (CMP-3): 客户不认可 is not a quiet end — nothing changes until it is confirmed with a next step."""
    c = _notified(world, intake)
    with pytest.raises(ServiceError) as exc:
        s.complaint_close(complaint=c, actor=world["manager_a"], customer_response="not_accepted", **kw)
    assert exc.value.code == code
    c.refresh_from_db()
    assert c.status == Status.NOTIFIED


@pytest.mark.django_db
def test_not_accepted_then_reopen_starts_a_new_round(world, intake):
    c = _notified(world, intake)
    s.complaint_close(
        complaint=c,
        actor=world["manager_a"],
        customer_response="not_accepted",
        confirmed=True,
        next_step="reopen",
        note="客户坚持退费",
    )
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED and c.reopen_count == 1
    kinds = list(ComplaintEvent.objects.filter(complaint=c).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.CLOSED, EventKind.REOPENED]


@pytest.mark.django_db
def test_not_accepted_then_escalate_closes_and_tells_the_region(world, intake):
    c = _notified(world, intake)
    s.complaint_close(
        complaint=c,
        actor=world["manager_a"],
        customer_response="not_accepted",
        confirmed=True,
        next_step="escalate",
        note="客户坚持退费",
    )
    c.refresh_from_db()
    assert c.status == Status.CLOSED and c.customer_response == "not_accepted"
    assert Notification.objects.filter(template="complaint_not_accepted").count() == 1


@pytest.mark.django_db
def test_supervisor_at_notified_sees_who_closes_next(client, world, intake):
    from django.urls import reverse

    c = _notified(world, intake)
    client.force_login(world["supervisor_a"])
    html = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert 'id="who-closes"' in html and world["manager_a"].staff_profile.full_name in html
    client.force_login(world["manager_a"])
    html = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert 'id="who-closes"' not in html and 'id="step-close"' in html and "我已与客户确认" in html
