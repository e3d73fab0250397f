"""Complaint workflow (CMP-1, CMP-2.1, CMP-2.2, CMP-3). Pages, API and CLI call these functions only.

accepted → contacted (meets the 2 h clock) → [complex: task force, progress reports each meeting the current 72 h
clock and starting the next] → solved (CMP-2.2 principles enforced) → notified in writing or by SMS (meets the
solution / progress clock) → closed with the customer's response → may be reopened (new clocks).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import clocks
from complaints.classify import suggest_kind
from complaints.clocks import Target
from complaints.evidence import check_files
from complaints.models import (
    Channel,
    Complaint,
    ComplaintCounter,
    ComplaintEvent,
    ComplaintEvidence,
    ComplaintNote,
    CustomerResponse,
    EventKind,
    Kind,
    NoticeMethod,
    Responsibility,
    Status,
)
from complaints.receipt import complaint_receipt_data
from lib.errors import Conflict, ServiceError
from privacy.services import pi_reveal, validate_phone
from staff.access import require

TOKEN_CHANNELS = {"wecom": Channel.WECOM, "app": Channel.APP}


def solution_target(kind: str) -> str:
    return Target.COMPLAINT_COMPLEX_PROGRESS if kind == Kind.COMPLEX else Target.COMPLAINT_GENERAL_SOLUTION


def _actor_label(actor, token=None) -> str:
    if actor is not None:
        profile = getattr(actor, "staff_profile", None)
        return f"{profile.full_name} ({profile.employee_number})" if profile else actor.get_username()
    if token is not None:
        return f"{token.get_kind_display()} · {token.name}"
    return str(_("系统"))


def _event(complaint, kind, *, actor=None, token=None, note: str = "", data=None, at=None) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        hall_id=complaint.hall_id,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        actor_label=_actor_label(actor, token),
        note=note,
        data=data or {},
    )


def _transition(complaint: Complaint, from_statuses, to: str, **fields) -> Complaint:
    """Conditional UPDATE: 0 rows means someone else moved the file first.

    A write that keeps the status passes ``[complaint.status]`` (the status the caller read), never "any open
    status": otherwise a stale copy would put back a status another request has already left."""
    updated = Complaint.objects.filter(pk=complaint.pk, status__in=list(from_statuses)).update(
        status=to, **fields
    )
    if updated != 1:
        raise Conflict("complaint_state", _("投诉状态已变化,请刷新后重试"))
    complaint.refresh_from_db()
    return complaint


def _require_open(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise Conflict("complaint_closed", _("已结案的投诉档案不可修改,只能添加备注"))


def _next_number(hall, day) -> str:
    ComplaintCounter.objects.get_or_create(hall=hall, day=day)
    ComplaintCounter.objects.filter(hall=hall, day=day).update(last=F("last") + 1)
    seq = ComplaintCounter.objects.get(hall=hall, day=day).last
    return f"TS-{hall.code}-{day:%Y%m%d}-{seq:04d}"


def _ticket_for(hall, reference: str, now):
    """Link the queue ticket when the reference is a ticket number (A012) of this hall on the complaint's day."""
    if not reference or len(reference) > 8:
        return None
    from queueing.models import Ticket

    return (
        Ticket.objects.filter(hall=hall, number=reference.upper(), service_date=timezone.localdate(now))
        .order_by("-pk")
        .first()
    )


def _clean(value: str, code: str, message, field: str, *, min_len: int = 1, max_len: int = 4000) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise ServiceError(code, message, field=field)
    if len(value) > max_len:
        raise ServiceError(f"{field}_too_long", _("内容过长"), field=field)
    return value


@transaction.atomic
def complaint_intake(
    *,
    hall,
    channel: str,
    complainant_name: str,
    contact_phone: str,
    demand: str,
    business_type,
    related_reference: str = "",
    evidence_files=(),
    actor=None,
    token=None,
    now: datetime | None = None,
) -> Complaint:
    """CMP-1: record complainant, demand and evidence at once, start the clocks, queue the receipt SMS."""
    if token is not None:
        if token.hall_id != hall.pk or token.kind not in TOKEN_CHANNELS:
            raise ServiceError("forbidden", _("该令牌不能提交投诉"), status=403)
        channel = TOKEN_CHANNELS[token.kind]
    else:
        require(actor, "complaint.intake", hall)
    if channel not in Channel.values:
        raise ServiceError("invalid_channel", _("投诉渠道不正确"), field="channel")
    name = _clean(complainant_name, "name_required", _("请填写投诉人姓名"), "complainant_name", max_len=100)
    phone = validate_phone(contact_phone, field="contact_phone")
    demand = _clean(demand, "demand_required", _("请填写投诉诉求(至少5个字)"), "demand", min_len=5)
    if business_type is None:
        raise ServiceError("business_type_required", _("请选择业务类型"), field="business_type")
    reference = (related_reference or "").strip()[:64]
    checked = check_files(evidence_files)  # before any write: a refused file leaves nothing behind

    now = now or timezone.now()
    suggestion = suggest_kind(text=demand, business_type=business_type)
    complaint = Complaint(
        hall=hall,
        number=_next_number(hall, timezone.localdate(now)),
        channel=channel,
        complainant_name=name,
        contact_phone=phone,
        demand=demand,
        business_type=business_type,
        related_reference=reference,
        ticket=_ticket_for(hall, reference, now),
        suggested_kind=suggestion.kind,
        suggestion_reasons=suggestion.reasons,
        kind=suggestion.kind,
        accepted_at=now,
        accepted_by=actor,
        source_token=token,
    )
    complaint.save()
    _event(
        complaint,
        EventKind.ACCEPTED,
        actor=actor,
        token=token,
        at=now,
        data={"channel": channel, "suggested_kind": suggestion.kind, "reasons": suggestion.reasons},
    )
    clocks.start(
        subject=complaint, target=Target.COMPLAINT_FIRST_CONTACT, hall=hall, started_at=now, actor=actor
    )
    clocks.start(
        subject=complaint, target=solution_target(complaint.kind), hall=hall, started_at=now, actor=actor
    )
    receipt = complaint_receipt_data(complaint=complaint)
    clocks.enqueue_notice(
        hall=hall,
        recipient=phone,
        template="complaint_receipt_sms",
        context={
            "hall_name": hall.name,
            "number": complaint.number,
            "accepted_at": complaint.accepted_at,
            "contact_deadline": receipt["contact_deadline"],
            "feedback_deadline": receipt["feedback_deadline"],
            "hall_phone": hall.complaint_phone or "10000",
        },
        dedupe_key=f"complaint:{complaint.pk}:receipt",
        subject=complaint,
    )
    _event(complaint, EventKind.RECEIPT, actor=actor, token=token, at=now, data={"sms": True})
    # Files last: every check has passed, so nothing written to disk can be left behind by a later failure.
    stored: list = []
    try:
        for item in checked:
            _store_evidence(complaint, item, actor, stored)
    except BaseException:
        _discard(stored)
        raise
    return complaint


def _store_evidence(complaint, item, actor, stored: list) -> ComplaintEvidence:
    evidence = ComplaintEvidence(
        complaint=complaint,
        hall_id=complaint.hall_id,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploaded_by=actor,
    )
    evidence.file.save(item.storage_name, item.upload, save=False)
    stored.append((evidence.file.storage, evidence.file.name))
    evidence.save()
    _event(
        complaint,
        EventKind.EVIDENCE,
        actor=actor,
        data={"content_type": item.content_type, "size": item.size},
    )
    return evidence


def _discard(stored: list) -> None:
    """The rows rolled back: remove the files written for them (no orphan PI on disk)."""
    for storage, name in stored:
        storage.delete(name)


@transaction.atomic
def complaint_add_evidence(*, complaint: Complaint, files, actor=None, token=None) -> list[ComplaintEvidence]:
    """CMP-1: more evidence for an open file, from staff or from the integration that submitted it."""
    if token is not None:
        if complaint.source_token_id != token.pk:
            raise ServiceError("forbidden", _("该令牌不能修改此投诉"), status=403)
    else:
        require(actor, "complaint.intake", complaint.hall)
    _require_open(complaint)
    checked = check_files(files)
    stored: list = []
    try:
        return [_store_evidence(complaint, item, actor, stored) for item in checked]
    except BaseException:
        _discard(stored)
        raise


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
        _event(complaint, EventKind.CLASSIFIED, actor=actor, note=reason, data={"kind": kind})
        return complaint
    if complaint.status not in (Status.ACCEPTED, Status.CONTACTED):
        raise Conflict("reclassify_late", _("已出解决方案的投诉不能重新分类"))
    reason = _clean(reason, "reason_required", _("重新分类须说明原因"), "reason", min_len=2, max_len=500)
    updated = Complaint.objects.filter(
        pk=complaint.pk, kind=old, status__in=[Status.ACCEPTED, Status.CONTACTED]
    ).update(kind=kind, kind_confirmed_by=actor)
    if updated != 1:
        raise Conflict("complaint_state", _("投诉状态已变化,请刷新后重试"))
    complaint.refresh_from_db()
    # The old class's solution/progress promise no longer applies; the new one runs from now.
    clocks.cancel(
        subject=complaint, target=solution_target(old), actor=actor, reason=f"reclassified: {reason}"
    )
    clocks.restart(
        subject=complaint,
        target=solution_target(kind),
        hall=complaint.hall,
        actor=actor,
        reason=f"reclassified: {reason}",
    )
    _event(complaint, EventKind.RECLASSIFIED, actor=actor, note=reason, data={"from": old, "to": kind})
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
    _event(complaint, EventKind.CONTACTED, actor=actor, note=note, at=at)
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
    _event(
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
    _event(complaint, EventKind.PROGRESS, actor=actor, note=progress, data={"sms": by_sms})
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
    _event(
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
    _event(complaint, EventKind.NOTIFIED, actor=actor, at=now, data={"method": method})
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor, customer_response: str, note: str = "") -> Complaint:
    """CMP-3: close with the customer's response; the file is archived and locked from here on."""
    require(actor, "complaint.close", complaint.hall)
    _require_open(complaint)
    if customer_response not in CustomerResponse.values:
        raise ServiceError("response_required", _("请选择客户反馈"), field="customer_response")
    now = timezone.now()
    _transition(
        complaint, [Status.NOTIFIED], Status.CLOSED, customer_response=customer_response, closed_at=now
    )
    clocks.cancel_open(subject=complaint, actor=actor, reason="closed")
    _event(complaint, EventKind.CLOSED, actor=actor, note=note, at=now, data={"response": customer_response})
    return complaint


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
    _event(complaint, EventKind.REOPENED, actor=actor, note=reason, at=now, data=previous)
    return complaint


@transaction.atomic
def complaint_annotate(*, complaint: Complaint, actor, text: str) -> ComplaintNote:
    """CMP-3: notes are the one thing a closed file accepts."""
    require(actor, "complaint.handle", complaint.hall)
    text = _clean(text, "note_required", _("请填写备注内容"), "text", min_len=2, max_len=2000)
    return ComplaintNote.objects.create(
        complaint=complaint, hall_id=complaint.hall_id, author=actor, text=text
    )


@transaction.atomic
def complaint_update_details(
    *, complaint: Complaint, actor, demand: str | None = None, business_type=None, related_reference=None
) -> Complaint:
    """Correct intake details while the file is open; a closed file refuses (CMP-3 archive lock)."""
    require(actor, "complaint.handle", complaint.hall)
    _require_open(complaint)
    fields = {}
    if demand is not None:
        fields["demand"] = _clean(
            demand, "demand_required", _("请填写投诉诉求(至少5个字)"), "demand", min_len=5
        )
    if business_type is not None:
        fields["business_type"] = business_type
    if related_reference is not None:
        fields["related_reference"] = related_reference.strip()[:64]
    return _transition(complaint, [complaint.status], complaint.status, **fields)


REVEAL_CHOICES = [("contact_phone", _("联系电话")), ("complainant_name", _("投诉人姓名"))]


def complaint_reveal(
    *, complaint: Complaint, actor, field: str, reason: str, ip_address: str | None = None
) -> str:
    """CMP-2.1: the duty supervisor must call the complainant back within 2 h, so the full phone / name may be shown
    once to a holder of ``pi.reveal`` in that hall, with a reason; every reveal is an audit row (PIAccessLog)."""
    require(actor, "pi.reveal", complaint.hall)
    if complaint.anonymised_at is not None:
        raise Conflict("complaint_anonymised", _("该档案的个人信息已匿名化"))
    return pi_reveal(
        user=actor, obj=complaint, field=field, reason=reason, ip_address=ip_address, hall=complaint.hall
    )
