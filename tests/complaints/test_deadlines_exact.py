"""Issue 10 §4: the spec's deadlines exactly — CMP-2.1 receipt promise of a complex complaint, limits running from
acceptance across a reclassification, a clock keeping the standard version it started under (repeating cycles too),
and CMP-3 retention by the rule in force when the file closed, never below three years (SUP-3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import services as s
from complaints.models import Kind
from lib.errors import ServiceError
from notify.models import Notification
from sla.models import Clock, Target
from standard.models import StandardVersion
from standard.services import standard_publish

pytestmark = pytest.mark.django_db

COMPLEX_DEMAND = "合约机提前解约被收取高额违约金,营业员当时没有说明合约期"


def _v2(effective_from, **changes):
    v1 = StandardVersion.objects.get(number=1)
    params = [
        {
            "code": p.code,
            "clause": p.clause,
            "label": p.label,
            "unit": p.unit,
            "value": changes.get(p.code, p.value),
        }
        for p in v1.parameters.all()
    ]
    latest = StandardVersion.objects.order_by("-number").first()
    return standard_publish(
        number=latest.number + 1, title="修订", effective_from=effective_from, parameters=params
    )


def test_cmp21_complex_receipt_sms_promises_a_progress_report_not_the_result(world, intake):
    c = intake(demand=COMPLEX_DEMAND, business_type=world["complex"])
    assert c.kind == Kind.COMPLEX
    body = Notification.objects.get(dedupe_key=f"complaint:{c.pk}:receipt").body
    assert "反馈处理进度" in body and "处理结果" not in body
    general = intake()
    assert "反馈处理结果" in Notification.objects.get(dedupe_key=f"complaint:{general.pk}:receipt").body


def test_cmp21_reclassified_complaint_keeps_its_limits_from_acceptance(world, intake, time_machine):
    """Accepted at T, reclassified complex at T+20 h: the progress report is owed at T+72 h, not T+92 h."""
    time_machine.move_to(timezone.now(), tick=False)
    c = intake()
    assert c.kind == Kind.GENERAL
    accepted = c.accepted_at
    time_machine.shift(timedelta(hours=20))
    s.complaint_classify(complaint=c, kind=Kind.COMPLEX, actor=world["supervisor_a"], reason="涉及多个部门")
    progress = Clock.objects.get(object_id=c.pk, target=Target.COMPLAINT_COMPLEX_PROGRESS)
    assert progress.deadline == accepted + timedelta(hours=72)
    assert progress.started_at == accepted


def test_sup3_repeating_cycle_keeps_the_version_its_clock_started_under(world, intake, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    c = intake(demand=COMPLEX_DEMAND, business_type=world["complex"])
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系客户")
    s.complaint_task_force(complaint=c, actor=sup, leader=world["manager_a"], members=[world["clerk_a"]])
    _v2(
        timezone.now() + timedelta(hours=1),
        **{"complaint.complex_progress_hours": 48, "complaint.complex_progress_repeat_hours": 24},
    )
    time_machine.shift(timedelta(hours=10))
    s.complaint_progress(complaint=c, actor=sup, progress="已调取签约录音,正在核实")
    nxt = (
        Clock.objects.filter(object_id=c.pk, target=Target.COMPLAINT_COMPLEX_PROGRESS)
        .order_by("-cycle")
        .first()
    )
    assert nxt.cycle == 2 and nxt.standard_version.number == 1
    repeat_v1 = StandardVersion.objects.get(number=1).values()["complaint.complex_progress_repeat_hours"]
    assert nxt.deadline == timezone.now() + timedelta(hours=repeat_v1)


def _closed_complaint(world, intake):
    c = intake()
    sup = world["supervisor_a"]
    s.complaint_contact(complaint=c, actor=sup, note="已联系客户")
    s.complaint_solve(
        complaint=c,
        actor=sup,
        cause="工单未同步",
        solution="已补做变更",
        responsibility="company",
        company_at_fault=True,
        apologised=True,
        notify_by="sms",
    )
    s.complaint_close(complaint=c, actor=world["manager_a"], customer_response="accepted")
    c.refresh_from_db()
    return c


def test_cmp3_a_file_keeps_the_retention_rule_of_when_it_closed(world, intake, time_machine):
    from complaints.archive import complaints_purge

    StandardVersion.objects.get(number=1).parameters.filter(code="archive.complaint_years").update(value=5)
    time_machine.move_to(timezone.now(), tick=False)
    c = _closed_complaint(world, intake)
    _v2(timezone.now() + timedelta(days=1), **{"archive.complaint_years": 3})
    time_machine.shift(timedelta(days=4 * 366))
    assert c.retention_until() == timezone.localtime(c.closed_at).replace(
        year=timezone.localtime(c.closed_at).year + 5
    )
    assert complaints_purge().count == 0
    time_machine.shift(timedelta(days=366 + 2))
    assert complaints_purge().numbers == [c.number]


def test_cmp3_no_version_may_set_retention_below_three_years(world):
    with pytest.raises(ServiceError) as err:
        _v2(timezone.now() + timedelta(days=1), **{"archive.complaint_years": 2})
    assert err.value.code == "retention_floor" and err.value.field == "archive.complaint_years"
