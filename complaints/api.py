"""Complaint API (CMP-1..3) under /api/v1/complaints.

Intake: a staff session (any channel of their hall) or a hall-bound WeCom / APP integration token (the channel is
the token's). Reading and handling: staff sessions, scoped by ``for_user`` (another hall's complaint is a 404); an
integration token may read back and add evidence to the complaints it submitted itself.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from casework.api import add_reveal_route, intake_caller
from casework.selectors import clocks_with_state, state_of
from catalog.models import BusinessType
from complaints import services
from complaints.models import Complaint
from complaints.pdf import receipt_pdf
from complaints.receipt import complaint_receipt_data
from complaints.selectors import complaint_list, complaints_for, with_urgency
from halls.api import ErrorOut
from lib.errors import NotFound, ServiceError
from lib.masking import mask_pi_in_text
from staff.access import user_can
from staff.web import api_staff_user, api_token

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ComplaintIn(Schema):
    hall: str | None = Field(
        None, description="营业厅编码（员工会话必填；集成令牌忽略）/ hall code (staff only)"
    )
    channel: str = Field("onsite", description="onsite / phone / wecom / app（令牌提交时取令牌类型）")
    complainant_name: str = Field(..., max_length=100)
    contact_phone: str = Field(..., max_length=20)
    demand: str = Field(..., max_length=4000)
    business_type: str = Field(..., description="业务类型编码 / business type code")
    related_reference: str = Field("", max_length=64)


class ComplaintClockOut(Schema):
    target: str
    cycle: int
    started_at: datetime
    deadline: datetime
    status: str
    state: str


class EventOut(Schema):
    kind: str
    at: datetime
    actor: str
    note: str


class ComplaintOut(Schema):
    id: int
    number: str
    hall: str
    channel: str
    status: str
    kind: str
    suggested_kind: str
    business_type: str
    complainant: str = Field(description="脱敏 / masked")
    contact_phone: str = Field(description="脱敏 / masked")
    summary: str = Field(description="脱敏摘要 / masked summary")
    accepted_at: datetime
    contacted_at: datetime | None
    solved_at: datetime | None
    notified_at: datetime | None
    closed_at: datetime | None
    responsibility: str
    customer_response: str
    clock_state: str
    next_deadline: datetime | None


class ComplaintDetailOut(ComplaintOut):
    contact_deadline: datetime
    feedback_deadline: datetime
    clocks: list[ComplaintClockOut]
    events: list[EventOut]


class ListQuery(Schema):
    status: str = ""
    state: str = Field("", description="overdue / due_soon / ok / none")
    hall: int | None = None
    business_type: int | None = None
    responsibility: str = Field("", description="company / staff / third_party / customer (CMP-3 archive)")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class ClassifyIn(Schema):
    kind: str = Field(..., description="general / complex")
    reason: str = ""


class NoteIn(Schema):
    note: str


class TaskForceIn(Schema):
    leader: int = Field(..., description="用户ID / user id")
    members: list[int] = []
    note: str = ""


class ProgressIn(Schema):
    progress: str
    by_sms: bool = True


class SolveIn(Schema):
    cause: str
    solution: str
    responsibility: str = Field(..., description="company / staff / third_party / customer")
    company_at_fault: bool
    apologised: bool = False
    compensation: str = ""
    follow_up: str = ""
    policy_basis: str = ""
    alternative: str = ""
    notify_by: str = Field("", description="'' / sms / written")


class NotifyIn(Schema):
    method: str = Field(..., description="sms / written")


class CloseIn(Schema):
    customer_response: str = Field(..., description="accepted / not_accepted")
    note: str = Field("", description="required (the reason) when not_accepted")
    confirmed: bool = Field(False, description="must be true when not_accepted")
    next_step: str = Field("", description="when not_accepted: reopen / escalate")


class ReopenIn(Schema):
    reason: str


class TextIn(Schema):
    text: str


def _out(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "hall": c.hall.code,
        "channel": c.channel,
        "status": c.status,
        "kind": c.kind,
        "suggested_kind": c.suggested_kind,
        "business_type": c.business_type.code,
        "complainant": c.masked_name,
        "contact_phone": c.masked_phone,
        "summary": c.summary,
        "accepted_at": c.accepted_at,
        "contacted_at": c.contacted_at,
        "solved_at": c.solved_at,
        "notified_at": c.notified_at,
        "closed_at": c.closed_at,
        "responsibility": c.responsibility,
        "customer_response": c.customer_response,
        "clock_state": state_of(c),
        "next_deadline": getattr(c, "next_deadline", None),
    }


def _detail(c: Complaint, *, reveal: bool = False) -> dict:
    """``reveal``: the reader holds ``pi.reveal`` in the hall; everyone else reads free-text notes with phone and ID
    shapes masked (a customer's number typed into a contact note is personal information like the phone field)."""
    now = timezone.now()
    c = with_urgency(Complaint.objects.select_related("hall", "business_type"), now=now).get(pk=c.pk)
    receipt = complaint_receipt_data(complaint=c)
    return _out(c) | {
        "contact_deadline": receipt["contact_deadline"],
        "feedback_deadline": receipt["feedback_deadline"],
        "clocks": [
            {
                "target": r["clock"].target,
                "cycle": r["clock"].cycle,
                "started_at": r["clock"].started_at,
                "deadline": r["clock"].deadline,
                "status": r["clock"].status,
                "state": r["state"],
            }
            for r in clocks_with_state(c, now=now)
        ],
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor_label,
                "note": e.note if reveal else mask_pi_in_text(e.note or ""),
            }
            for e in c.events.all()
        ],
    }


def _visible(request):
    token = api_token(request)
    if token is not None:
        return Complaint.objects.filter(source_token=token)
    return complaints_for(request.user)


def _get(request, complaint_id: int) -> Complaint:
    found = _visible(request).select_related("hall", "business_type").filter(pk=complaint_id).first()
    if found is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return found


def _staff_get(request, complaint_id: int) -> tuple[object, Complaint]:
    user = api_staff_user(request)
    return user, _get(request, complaint_id)


@router.post(
    "", response={201: ComplaintDetailOut, **ERRORS}, summary="受理投诉 / Record a complaint (CMP-1)"
)
def complaint_create(request, payload: ComplaintIn):
    hall, actor, token = intake_caller(request, payload.hall)
    business_type = BusinessType.objects.for_hall(hall).filter(code=payload.business_type).first()
    if business_type is None:
        raise ServiceError("business_type_required", _("业务类型不存在"), field="business_type")
    complaint = services.complaint_intake(
        hall=hall,
        channel=payload.channel,
        complainant_name=payload.complainant_name,
        contact_phone=payload.contact_phone,
        demand=payload.demand,
        business_type=business_type,
        related_reference=payload.related_reference,
        actor=actor,
        token=token,
    )
    return Status(201, _detail(complaint))


@router.get("", response={200: list[ComplaintOut], **ERRORS}, summary="投诉列表（超时、将到期优先）/ List")
def complaint_index(request, filters: Query[ListQuery]):
    user = api_staff_user(request)
    qs = complaint_list(
        user=user,
        now=timezone.now(),
        status=filters.status,
        state=filters.state,
        hall_id=filters.hall,
        business_type_id=filters.business_type,
        responsibility=filters.responsibility,
    )
    return [_out(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/{complaint_id}", response={200: ComplaintDetailOut, **ERRORS}, summary="投诉详情与时间线 / Detail"
)
def complaint_get(request, complaint_id: int):
    complaint = _get(request, complaint_id)
    user = getattr(request, "user", None)
    reveal = bool(user and user.is_authenticated and user_can(user, "pi.reveal", complaint.hall))
    return _detail(complaint, reveal=reveal)


@router.get(
    "/{complaint_id}/receipt.pdf",
    response={200: None, **ERRORS},
    summary="投诉受理回执PDF / Acceptance receipt (PDF)",
    openapi_extra={"responses": {"200": {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def complaint_receipt(request, complaint_id: int):
    complaint = _get(request, complaint_id)
    response = HttpResponse(
        receipt_pdf(complaint_receipt_data(complaint=complaint)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="receipt-{complaint.number}.pdf"'
    return response


@router.post(
    "/{complaint_id}/evidence", response={201: ComplaintDetailOut, **ERRORS}, summary="补充证据 / Evidence"
)
def complaint_evidence(request, complaint_id: int, files: File[list[UploadedFile]]):
    complaint = _get(request, complaint_id)
    services.complaint_add_evidence(
        complaint=complaint,
        files=files,
        actor=None if api_token(request) else request.user,
        token=api_token(request),
    )
    return Status(201, _detail(complaint))


def _step(path: str, summary: str, schema, call):
    """One POST per workflow step; all share the shape: staff only, call the service, return the detail."""

    def endpoint(request, complaint_id: int, payload):
        user, complaint = _staff_get(request, complaint_id)
        call(complaint, user, payload)
        return _detail(complaint)

    # Set the real annotation (postponed evaluation would leave the string "schema" for ninja to resolve).
    endpoint.__annotations__ = {"complaint_id": int, "payload": schema}
    endpoint.__name__ = f"complaint_{path.replace('-', '_')}"
    return router.post(
        f"/{{complaint_id}}/{path}", response={200: ComplaintDetailOut, **ERRORS}, summary=summary
    )(endpoint)


def _task_force(c, user, p):
    from django.contrib.auth import get_user_model

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[p.leader, *p.members])}
    services.complaint_task_force(
        complaint=c,
        actor=user,
        leader=users.get(p.leader),
        members=[users[m] for m in p.members if m in users],
        note=p.note,
    )


_step(
    "classify",
    "确认/重新分类 / Classify",
    ClassifyIn,
    lambda c, u, p: services.complaint_classify(complaint=c, kind=p.kind, actor=u, reason=p.reason),
)
_step(
    "contact",
    "记录联系客户 / Contact logged",
    NoteIn,
    lambda c, u, p: services.complaint_contact(complaint=c, actor=u, note=p.note),
)
_step("task-force", "成立专项小组 / Task force", TaskForceIn, _task_force)
_step(
    "progress",
    "进度反馈 / Progress report",
    ProgressIn,
    lambda c, u, p: services.complaint_progress(complaint=c, actor=u, progress=p.progress, by_sms=p.by_sms),
)
_step(
    "solve",
    "解决方案 / Solution",
    SolveIn,
    lambda c, u, p: services.complaint_solve(complaint=c, actor=u, **p.dict()),
)
_step(
    "notify",
    "告知客户 / Notify customer",
    NotifyIn,
    lambda c, u, p: services.complaint_notify(complaint=c, actor=u, method=p.method),
)
_step(
    "close",
    "结案 / Close",
    CloseIn,
    lambda c, u, p: services.complaint_close(
        complaint=c,
        actor=u,
        customer_response=p.customer_response,
        note=p.note,
        confirmed=p.confirmed,
        next_step=p.next_step,
    ),
)
_step(
    "reopen",
    "重新打开 / Reopen",
    ReopenIn,
    lambda c, u, p: services.complaint_reopen(complaint=c, actor=u, reason=p.reason),
)
_step(
    "notes",
    "添加备注 / Annotate",
    TextIn,
    lambda c, u, p: services.complaint_annotate(complaint=c, actor=u, text=p.text),
)


add_reveal_route(
    router,
    param="complaint_id",
    fetch=lambda request, user, pk: _get(request, pk),
    reveal=lambda case, **kw: services.complaint_reveal(complaint=case, **kw),
    summary="查看完整联系方式（审计）/ Reveal the caller's name or phone (audited)",
    operation_id="complaints_api_complaint_reveal",
    description="CMP-2.1: for the callback. Needs ``pi.reveal`` in the hall and a reason; writes a PIAccessLog row. "
    "The field and reason travel in the body, never in the URL; the answer must not be cached.",
)
