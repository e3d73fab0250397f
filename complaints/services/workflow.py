"""CMP-2.1, CMP-2.2, CMP-3: classify, contact, task force, progress, solve, notify, close, reopen."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.services import timeline_add
from complaints import clocks
from complaints.models import (
    Complaint,
    CustomerResponse,
    EventKind,
    Kind,
    NoticeMethod,
    Responsibility,
    Status,
)
from complaints.services._common import (
    _clean,
    _require_open,
    _transition,
    solution_target,
)
from lib.errors import Conflict, ServiceError
from notify.messages import register_template
from sla.models import Target
from staff.access import require


@transaction.atomic
def complaint_classify(*, complaint: Complaint, kind: str, actor, reason: str = "") -> Complaint:
    """CMP-2.1: staff confirm the suggested class or change it; a change restarts the right clocks."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    if kind not in Kind.values:
        raise ServiceError("invalid_kind", _("投诉分类不正确"), field="kind")
    old = complaint.kind
    if kind == old:
        _transition(complaint, [complaint.status], complaint.status, kind_confirmed_by=actor)
        timeline_add(complaint, EventKind.CLASSIFIED, actor=actor, note=reason, data={"kind": kind})
        return complaint
    if complaint.status not in (Status.ACCEPTED, Status.CONTACTED):
        raise Conflict("reclassify_late", _("已出解决方案的投诉不能重新分类"))
    reason = _clean(reason, "reason_required", _("重新分类须说明原因"), "reason", min_len=2, max_len=500)
    updated = Complaint.objects.filter(
        pk=complaint.pk, kind=old, status__in=[Status.ACCEPTED, Status.CONTACTED]
    ).update(kind=kind, kind_confirmed_by=actor)
    if updated != 1:
        raise Conflict("complaint_state", _("投诉状态已变化，请刷新后重试"))
    complaint.refresh_from_db()
    # The old class's solution/progress promise no longer applies; the new one is counted from the acceptance
    # (CMP-2.1 limits run from 受理， docs/sla.md "Reclassification"), not from the reclassification.
    clocks.cancel(
        subject=complaint, target=solution_target(old), actor=actor, reason=f"reclassified: {reason}"
    )
    clocks.restart(
        subject=complaint,
        target=solution_target(kind),
        hall=complaint.hall,
        actor=actor,
        reason=f"reclassified: {reason}",
        runs_from=complaint.accepted_at,
    )
    timeline_add(complaint, EventKind.RECLASSIFIED, actor=actor, note=reason, data={"from": old, "to": kind})
    return complaint


@transaction.atomic
def complaint_contact(*, complaint: Complaint, actor, note: str, at: datetime | None = None) -> Complaint:
    """CMP-2.1: the duty supervisor contacted the customer to confirm the details (meets the 2 h clock)."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    note = _clean(note, "note_required", _("请记录联系情况"), "note", min_len=2)
    at = at or timezone.now()
    _transition(complaint, [Status.ACCEPTED], Status.CONTACTED, contacted_at=at)
    clocks.meet(subject=complaint, target=Target.COMPLAINT_FIRST_CONTACT, at=at, actor=actor)
    timeline_add(complaint, EventKind.CONTACTED, actor=actor, note=note, at=at)
    return complaint


def _hall_staff_ids(hall) -> set[int]:
    from staff.models import HallAssignment

    return set(HallAssignment.objects.filter(hall=hall).values_list("user_id", flat=True))


@transaction.atomic
def complaint_task_force(*, complaint: Complaint, actor, leader, members=(), note: str = "") -> Complaint:
    """CMP-2.1: a complex complaint gets a dedicated team drawn from the hall's staff."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    if complaint.kind != Kind.COMPLEX:
        raise ServiceError("not_complex", _("只有复杂投诉需要成立专项小组"), field="leader")
    staff_ids = _hall_staff_ids(complaint.hall)
    if leader is None or leader.pk not in staff_ids:
        raise ServiceError("leader_invalid", _("组长须为本厅员工"), field="leader")
    members = [m for m in members if m.pk != leader.pk]
    if any(m.pk not in staff_ids for m in members):
        raise ServiceError("member_invalid", _("组员须为本厅员工"), field="members")
    _transition(complaint, [complaint.status], complaint.status, task_force_leader=leader)
    complaint.task_force_members.set(members)
    timeline_add(
        complaint,
        EventKind.TASK_FORCE,
        actor=actor,
        note=note,
        data={"leader": leader.pk, "members": [m.pk for m in members]},
    )
    return complaint


@transaction.atomic
def complaint_progress(*, complaint: Complaint, actor, progress: str, by_sms: bool = True) -> Complaint:
    """CMP-2.1: a progress report to the customer meets the current 72 h clock and starts the next period."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    if complaint.kind != Kind.COMPLEX:
        raise ServiceError("not_complex", _("进度反馈适用于复杂投诉"), field="progress")
    if complaint.status not in (Status.CONTACTED, Status.SOLVED):
        raise Conflict("complaint_state", _("请先联系客户确认情况"))
    progress = _clean(
        progress, "progress_required", _("请填写反馈给客户的进展"), "progress", min_len=2, max_len=300
    )
    now = timezone.now()
    # Meeting the periodic clock starts the next period from now (sla policy for this target).
    clocks.meet(subject=complaint, target=Target.COMPLAINT_COMPLEX_PROGRESS, at=now, actor=actor)
    nxt = clocks.open_clock(complaint, Target.COMPLAINT_COMPLEX_PROGRESS) or clocks.start(
        subject=complaint,
        target=Target.COMPLAINT_COMPLEX_PROGRESS,
        hall=complaint.hall,
        started_at=now,
        actor=actor,
    )
    if by_sms:
        count = complaint.events.filter(kind=EventKind.PROGRESS).count() + 1
        clocks.enqueue_notice(
            hall=complaint.hall,
            recipient=complaint.contact_phone,
            template="complaint_progress_sms",
            context={
                "hall_name": complaint.hall.name,
                "number": complaint.number,
                "progress": progress,
                "next_deadline": nxt.deadline,
                "hall_phone": complaint.hall.complaint_phone or "10000",
            },
            dedupe_key=f"complaint:{complaint.pk}:progress:{complaint.reopen_count}:{count}",
            subject=complaint,
        )
    timeline_add(complaint, EventKind.PROGRESS, actor=actor, note=progress, data={"sms": by_sms})
    return complaint


SOLUTION_MAX = 1000


@transaction.atomic
def complaint_solve(
    *,
    complaint: Complaint,
    actor,
    cause: str,
    solution: str,
    responsibility: str,
    company_at_fault: bool,
    apologised: bool = False,
    compensation: str = "",
    follow_up: str = "",
    policy_basis: str = "",
    alternative: str = "",
    notify_by: str = "",
) -> Complaint:
    """CMP-2.2 + CMP-3: record cause, solution, compensation, follow-up commitment and responsibility.

    Either the company erred and apologised (and takes responsibility), or the demand exceeds policy and the policy
    basis was explained with an alternative offered. ``notify_by`` (sms / written) tells the customer at once.
    """
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    cause = _clean(cause, "cause_required", _("请填写投诉原因"), "cause", min_len=2, max_len=SOLUTION_MAX)
    solution = _clean(
        solution, "solution_required", _("请填写解决方案"), "solution", min_len=2, max_len=SOLUTION_MAX
    )
    if responsibility not in Responsibility.values:
        raise ServiceError("responsibility_required", _("请选择责任归属"), field="responsibility")
    compensation = (compensation or "").strip()[:SOLUTION_MAX]
    follow_up = (follow_up or "").strip()[:SOLUTION_MAX]
    policy_basis = (policy_basis or "").strip()[:SOLUTION_MAX]
    alternative = (alternative or "").strip()[:SOLUTION_MAX]
    if company_at_fault:
        if not apologised:
            raise ServiceError(
                "apology_required", _("公司存在过错时须向客户致歉并承担责任"), field="apologised"
            )
    else:
        if not policy_basis:
            raise ServiceError(
                "policy_basis_required", _("诉求超出政策时须说明政策依据"), field="policy_basis"
            )
        if not alternative:
            raise ServiceError("alternative_required", _("诉求超出政策时须提供替代方案"), field="alternative")
    if complaint.kind == Kind.COMPLEX and complaint.task_force_leader_id is None:
        raise ServiceError("task_force_required", _("复杂投诉须先成立专项小组"), field="solution")
    now = timezone.now()
    _transition(
        complaint,
        [Status.CONTACTED],
        Status.SOLVED,
        cause=cause,
        solution=solution,
        compensation=compensation,
        follow_up=follow_up,
        company_at_fault=bool(company_at_fault),
        apologised=bool(apologised) if company_at_fault else False,
        policy_basis="" if company_at_fault else policy_basis,
        alternative="" if company_at_fault else alternative,
        responsibility=responsibility,
        solved_at=now,
    )
    timeline_add(
        complaint,
        EventKind.SOLUTION,
        actor=actor,
        note=solution,
        at=now,
        data={"responsibility": responsibility, "company_at_fault": bool(company_at_fault)},
    )
    if notify_by:
        complaint_notify(complaint=complaint, actor=actor, method=notify_by)
    return complaint


@transaction.atomic
def complaint_notify(*, complaint: Complaint, actor, method: str) -> Complaint:
    """CMP-3: tell the customer the result in writing (the PDF letter) or by SMS; meets the solution clock."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    if method not in NoticeMethod.values:
        raise ServiceError("invalid_method", _("请选择告知方式"), field="notify_by")
    now = timezone.now()
    _transition(complaint, [Status.SOLVED], Status.NOTIFIED, notice_method=method, notified_at=now)
    # The customer has the result: no further progress period for a complex complaint.
    clocks.meet(subject=complaint, target=solution_target(complaint.kind), at=now, actor=actor, repeat=False)
    if method == NoticeMethod.SMS:
        none = str(_("无"))
        clocks.enqueue_notice(
            hall=complaint.hall,
            recipient=complaint.contact_phone,
            template="complaint_solution_sms",
            context={
                "hall_name": complaint.hall.name,
                "number": complaint.number,
                "cause": complaint.cause,
                "solution": complaint.solution,
                "compensation": complaint.compensation or none,
                "follow_up": complaint.follow_up or none,
                "hall_phone": complaint.hall.complaint_phone or "10000",
            },
            dedupe_key=f"complaint:{complaint.pk}:solution:{complaint.reopen_count}",
            subject=complaint,
        )
    timeline_add(complaint, EventKind.NOTIFIED, actor=actor, at=now, data={"method": method})
    return complaint


NEXT_STEPS = ("reopen", "escalate")
register_template(
    "complaint_not_accepted",
    "【客户不认可】{hall_name}：投诉{number}的处理结果客户不认可，已结案并上报区域质检员{name}复核。",
    "客户不认可",
)


@transaction.atomic
def complaint_close(
    *,
    complaint: Complaint,
    actor,
    customer_response: str,
    note: str = "",
    confirmed: bool = False,
    next_step: str = "",
) -> Complaint:
    """CMP-3: close with the customer's response; the file is archived and locked from here on.

    A customer who does not accept the result is not the end of the matter (issue 10 §2): closing with 客户不认可
    must be confirmed and name the next step — ``reopen`` (a new round of contact and solution, at once) or
    ``escalate`` (the file closes as not accepted and the region's quality inspectors are told to review it)."""
    require(actor, "complaint.close", complaint.hall)
    _require_open(complaint)
    if customer_response not in CustomerResponse.values:
        raise ServiceError("response_required", _("请选择客户反馈"), field="customer_response")
    not_accepted = customer_response == CustomerResponse.NOT_ACCEPTED
    if not_accepted:
        if next_step not in NEXT_STEPS:
            raise ServiceError(
                "next_step_required", _("客户不认可时请选择下一步：重新处理或上报区域"), field="next_step"
            )
        if not confirmed:
            raise ServiceError("confirm_required", _("请确认客户不认可处理结果"), field="confirmed")
        note = _clean(note, "reason_required", _("请说明客户不认可的原因"), "note", min_len=2, max_len=500)
    elif next_step:
        raise ServiceError("invalid_next_step", _("客户认可时无需选择下一步"), field="next_step")
    now = timezone.now()
    _transition(
        complaint, [Status.NOTIFIED], Status.CLOSED, customer_response=customer_response, closed_at=now
    )
    clocks.cancel_open(subject=complaint, actor=actor, reason="closed")
    data = {"response": customer_response} | ({"next_step": next_step} if next_step else {})
    timeline_add(complaint, EventKind.CLOSED, actor=actor, note=note, at=now, data=data)
    if next_step == "reopen":
        return complaint_reopen(complaint=complaint, actor=actor, reason=note)
    if next_step == "escalate":
        _escalate_not_accepted(complaint, note)
    return complaint


def _escalate_not_accepted(complaint: Complaint, reason: str) -> None:
    from notify.services import notification_enqueue
    from sla.escalation import regional_inspectors

    inspectors = regional_inspectors(complaint.hall)
    notification_enqueue(
        hall=complaint.hall,
        channel="wecom",
        recipient=getattr(settings, "TINGWU_SLA_WECOM_ROBOT", "default"),
        template="complaint_not_accepted",
        context={
            "hall_name": complaint.hall.name,
            "number": complaint.number,
            "name": "、".join(
                getattr(getattr(u, "staff_profile", None), "full_name", "") or u.get_username()
                for u in inspectors
            )
            or "（未配置）",
        },
        dedupe_key=f"complaint:{complaint.pk}:not_accepted:{complaint.reopen_count}",
        subject=complaint,
        options={"mentioned_list": [u.get_username() for u in inspectors]},
    )


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, actor, reason: str) -> Complaint:
    """A closed file reopens as a new round: first contact and solution clocks start again."""
    require(actor, "complaint.handle", complaint.hall)
    if complaint.anonymised_at is not None:
        raise Conflict("complaint_anonymised", _("已匿名化的档案不能重新打开"))
    reason = _clean(reason, "reason_required", _("请填写重新打开的原因"), "reason", min_len=2, max_len=500)
    previous = {
        "response": complaint.customer_response,
        "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None,
        "responsibility": complaint.responsibility,
    }
    now = timezone.now()
    _transition(
        complaint,
        [Status.CLOSED],
        Status.ACCEPTED,
        reopen_count=F("reopen_count") + 1,
        contacted_at=None,
        solved_at=None,
        notified_at=None,
        notice_method="",
        closed_at=None,
        customer_response="",
    )
    for target in (Target.COMPLAINT_FIRST_CONTACT, solution_target(complaint.kind)):
        clocks.restart(
            subject=complaint, target=target, hall=complaint.hall, actor=actor, reason=f"reopened: {reason}"
        )
    timeline_add(complaint, EventKind.REOPENED, actor=actor, note=reason, at=now, data=previous)
    return complaint
