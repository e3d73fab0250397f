"""Customer evaluation API (SUP-1.2) under /api/v1/evaluations.

Devices and integrations (bearer token): the rating pad answers for its counter, the APP submits with the ticket's
public token, the SMS gateway posts inbound replies. Staff (session): the monthly report, the evaluations list,
reviews of flagged answers, follow-ups. A staff session can never submit an evaluation.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from evaluations import report, services
from evaluations.models import Evaluation, FollowUp, FollowUpStatus, ReasonChip
from evaluations.sms import sms_inbound
from evaluations.views.pages import parse_month
from halls.api import ErrorOut
from lib.errors import Forbidden, NotFound, ServiceError
from staff.access import hall_ids_with
from staff.web import api_staff_user, api_token

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut}


class AnswerIn(Schema):
    level: int = Field(..., description="5 非常满意 … 1 非常不满意")
    reasons: list[int] = Field(
        default_factory=list, description="原因 id（仅限「一般」及以下）/ reason chip ids"
    )
    comment: str = Field("", max_length=2000)


class PadAnswerIn(AnswerIn):
    ticket_id: int


class AppAnswerIn(AnswerIn):
    ticket_token: str = Field(..., max_length=64, description="排队号的公开令牌 / the ticket's public token")


class SmsIn(Schema):
    sender: str = Field(..., max_length=32, description="发送方手机号 / sender's mobile number")
    text: str = Field(..., max_length=500)


class SmsOut(Schema):
    result: str = Field(description="answered / declined / help / ignored / unknown")
    ticket_id: int | None = None


class EvaluationOut(Schema):
    id: int
    ticket: str
    hall: str
    counter: int | None
    clerk: str | None = Field(description="员工姓名与工号 / clerk name and employee number")
    business_type: str
    level: int
    level_label: str
    reasons: list[str]
    comment: str = Field(description="号码类信息已脱敏 / numbers masked")
    channel: str
    submitted_at: datetime
    valid: bool
    exclusion: str
    exclusion_note: str
    review: str


class ReasonOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


class PadStateOut(Schema):
    counter: int
    lit: bool
    ticket_id: int | None = None
    number: str | None = None
    seconds_left: int = 0
    clerk: str | None = None


class ReportRowOut(Schema):
    key: int | None
    label: str
    invited: int
    answered: int
    valid: int
    top: int
    excluded: int
    satisfaction: float | None
    satisfaction_status: str = Field(
        description="the KPI's judgement (SUP-2): no_data | insufficient | met | below — as on the KPI pages"
    )
    response_rate: float | None


class ReportOut(Schema):
    month: str
    group: str
    rows: list[ReportRowOut]
    totals: dict
    levels: list[dict]
    reasons: list[dict]
    keywords: list[dict]


class ReviewIn(Schema):
    decision: str = Field(..., description="accept / reject")


class FollowUpIn(Schema):
    outcome: str = Field(..., description="resolved / explained / complaint / unreachable")
    note: str = Field(..., max_length=1000)


class FollowUpOut(Schema):
    id: int
    evaluation_id: int
    hall: str
    status: str
    outcome: str
    opened_at: datetime
    done_at: datetime | None


class ListQuery(Schema):
    month: str = Field("", description="YYYY-MM")
    hall: int | None = None
    flagged: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class ReportQuery(Schema):
    month: str = Field("", description="YYYY-MM")
    group: str = Field("clerk", description="clerk / hall / region")
    hall: int | None = None


def _clerk(user) -> str | None:
    profile = getattr(user, "staff_profile", None) if user else None
    return f"{profile.full_name}({profile.employee_number})" if profile else None


def _out(e: Evaluation) -> dict:
    return {
        "id": e.pk,
        "ticket": e.ticket.number,
        "hall": e.hall.code,
        "counter": e.counter.number if e.counter else None,
        "clerk": _clerk(e.clerk),
        "business_type": e.business_type.code,
        "level": e.level,
        "level_label": str(e.get_level_display()),
        "reasons": [r.name for r in e.reasons.all()],
        "comment": e.masked_comment,
        "channel": e.channel,
        "submitted_at": e.submitted_at,
        "valid": e.valid,
        "exclusion": e.exclusion,
        "exclusion_note": e.exclusion_note,
        "review": e.review,
    }


def _device(request):
    token = api_token(request)
    if token is None:
        raise Forbidden("staff_session", _("员工登录状态下不能提交客户评价"))
    return token


def _one(e: Evaluation) -> dict:
    e = Evaluation.objects.select_related(
        "ticket", "hall", "counter", "clerk__staff_profile", "business_type"
    ).get(pk=e.pk)
    return _out(e)


@router.get("/reasons", response={200: list[ReasonOut], **ERRORS}, summary="评价原因 / Reason chips")
def reasons(request):
    return [
        {"id": c.pk, "code": c.code, "name": c.name, "name_en": c.name_en}
        for c in ReasonChip.objects.filter(active=True)
    ]


@router.get("/pad", response={200: PadStateOut, **ERRORS}, summary="评价器当前状态 / The pad's current state")
def pad_state(request):
    token = _device(request)
    pad = services.RatingPad.objects.select_related("counter").filter(token=token).first()
    if pad is None:
        raise Forbidden("wrong_device", _("只能在办理窗口的评价器上评价"))
    inv = services.pad_current(pad=pad)
    if inv is None:
        return {"counter": pad.counter.number, "lit": False}
    from django.utils import timezone

    left = max(0, int((inv.pad_until - timezone.now()).total_seconds()))
    return {
        "counter": pad.counter.number,
        "lit": True,
        "ticket_id": inv.ticket_id,
        "number": inv.ticket.number,
        "seconds_left": left,
        "clerk": _clerk(inv.clerk),
    }


@router.post("/pad", response={201: EvaluationOut, **ERRORS}, summary="评价器提交评价 / Pad answer")
def pad_answer(request, payload: PadAnswerIn):
    token = _device(request)
    e = services.pad_submit(
        token=token,
        ticket_id=payload.ticket_id,
        level=payload.level,
        reasons=payload.reasons,
        comment=payload.comment,
    )
    return Status(201, _one(e))


@router.post(
    "/app", response={201: EvaluationOut, **ERRORS}, summary="APP 提交评价 / APP answer (ticket token)"
)
def app_answer(request, payload: AppAnswerIn):
    token = _device(request)
    e = services.app_submit(
        token=token,
        ticket_token=payload.ticket_token,
        level=payload.level,
        reasons=payload.reasons,
        comment=payload.comment,
    )
    return Status(201, _one(e))


@router.post("/sms/inbound", response={200: SmsOut, **ERRORS}, summary="短信回复回调 / Inbound SMS webhook")
def sms_webhook(request, payload: SmsIn):
    token = _device(request)
    result = sms_inbound(token=token, sender=payload.sender, text=payload.text)
    return {"result": result["result"], "ticket_id": result.get("ticket_id")}


def _scoped(request):
    user = api_staff_user(request)
    return user, report.scoped(user)


@router.get("", response={200: list[EvaluationOut], **ERRORS}, summary="评价列表 / Evaluations")
def evaluation_index(request, filters: Query[ListQuery]):
    user, (evs, _invs) = _scoped(request)
    if filters.month:
        start, end = report.month_bounds(parse_month(filters.month))
        evs = evs.filter(submitted_at__gte=start, submitted_at__lt=end)
    if filters.hall is not None:
        evs = evs.filter(hall_id=filters.hall)
    if filters.flagged:
        evs = evs.filter(review="pending")
    evs = evs.select_related(
        "ticket", "hall", "counter", "clerk__staff_profile", "business_type"
    ).prefetch_related("reasons")
    return [_out(e) for e in evs[filters.offset : filters.offset + filters.limit]]


@router.get("/report", response={200: ReportOut, **ERRORS}, summary="月度满意度 / Monthly report")
def evaluation_report(request, filters: Query[ReportQuery]):
    user, (evs, invs) = _scoped(request)
    if filters.group not in report.GROUPS:
        raise ServiceError("invalid_group", _("统计维度不正确"), field="group")
    month = parse_month(filters.month)
    if filters.hall is not None:
        evs, invs = evs.filter(hall_id=filters.hall), invs.filter(hall_id=filters.hall)
    data = report.monthly(evaluations=evs, invitations=invs, month=month, group=filters.group)
    data["month"] = data["month"].strftime("%Y-%m")
    data["rows"] = [
        r | {"label": str(r["label"]), "satisfaction_status": r["figure"].status} for r in data["rows"]
    ]
    data["totals"] = data["totals"] | {"figure": data["totals"]["figure"].as_dict()}
    data["levels"] = [lv | {"label": str(lv["label"])} for lv in data["levels"]]
    return data


@router.post(
    "/{evaluation_id}/review", response={200: EvaluationOut, **ERRORS}, summary="复核 / Review a flag"
)
def evaluation_review(request, evaluation_id: int, payload: ReviewIn):
    user = api_staff_user(request)
    if payload.decision not in ("accept", "reject"):
        raise ServiceError("invalid_decision", _("请选择复核结论"), field="decision")
    e = Evaluation.objects.for_user(user).filter(pk=evaluation_id).first()
    if e is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    e = services.evaluation_review(evaluation=e, actor=user, accept=payload.decision == "accept")
    return _one(e)


def _fu_out(f: FollowUp) -> dict:
    return {
        "id": f.pk,
        "evaluation_id": f.evaluation_id,
        "hall": f.hall.code,
        "status": f.status,
        "outcome": f.outcome,
        "opened_at": f.opened_at,
        "done_at": f.done_at,
    }


def _follow_ups(user):
    ids = hall_ids_with(user, "evaluation.follow_up")
    qs = FollowUp.objects.select_related("hall")
    return qs if ids is None else qs.filter(hall_id__in=ids)


@router.get("/follow-ups", response={200: list[FollowUpOut], **ERRORS}, summary="差评回访 / Follow-ups")
def follow_up_index(request, status: str = ""):
    user = api_staff_user(request)
    if status and status not in FollowUpStatus.values:
        raise ServiceError("invalid_status", _("状态不正确"), field="status")
    qs = _follow_ups(user)
    if status:
        qs = qs.filter(status=status)
    return [_fu_out(f) for f in qs[:200]]


@router.post(
    "/follow-ups/{follow_up_id}/complete",
    response={200: FollowUpOut, **ERRORS},
    summary="完成回访 / Complete",
)
def follow_up_done(request, follow_up_id: int, payload: FollowUpIn):
    user = api_staff_user(request)
    f = _follow_ups(user).filter(pk=follow_up_id).first()
    if f is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    f = services.follow_up_complete(follow_up=f, actor=user, outcome=payload.outcome, note=payload.note)
    return _fu_out(f)
