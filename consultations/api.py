"""Consultation API (BIZ-2.1) under /api/v1/consultations.

Online consultations arrive from WeCom / the APP with a hall-bound integration token (first response ≤ 1 h); staff
sessions record on-site ones and answer. Another hall's consultation is a 404; no credentials a 401.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from casework.api import add_reveal_route, intake_caller
from casework.selectors import clocks_with_state, state_of, with_urgency
from catalog.models import BusinessType
from consultations import services
from consultations.models import Consultation
from consultations.selectors import consultation_list, consultations_for
from halls.api import ErrorOut
from lib.errors import NotFound, ServiceError
from staff.web import api_staff_user, api_token

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ConsultationIn(Schema):
    hall: str | None = Field(None, description="营业厅编码（员工会话必填）/ hall code (staff only)")
    channel: str = Field("onsite", description="onsite（员工）/ wecom / app（令牌）")
    customer_name: str = Field(..., max_length=100)
    contact_phone: str = Field(..., max_length=20)
    question: str = Field(..., max_length=2000)
    business_type: str | None = Field(None, description="业务类型编码（可选）")


class ConsultationClockOut(Schema):
    target: str
    deadline: datetime
    status: str
    state: str


class ConsultationOut(Schema):
    id: int
    number: str
    hall: str
    channel: str
    status: str
    is_complex: bool
    customer: str = Field(description="脱敏 / masked")
    contact_phone: str = Field(description="脱敏 / masked")
    recorded_at: datetime
    first_response_at: datetime | None
    answered_at: datetime | None
    reply_method: str
    clock_state: str
    next_deadline: datetime | None


class ConsultationDetailOut(ConsultationOut):
    question: str = Field(description="号码类信息已脱敏 / numbers masked")
    answer: str = Field(description="号码类信息已脱敏 / numbers masked")
    clocks: list[ConsultationClockOut]


class ListQuery(Schema):
    status: str = ""
    state: str = ""
    hall: int | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class RespondIn(Schema):
    answer: str
    complex: bool = False


class AnswerIn(Schema):
    answer: str
    method: str = Field(..., description="phone / sms / online")


def _out(c: Consultation) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "hall": c.hall.code,
        "channel": c.channel,
        "status": c.status,
        "is_complex": c.is_complex,
        "customer": c.masked_name,
        "contact_phone": c.masked_phone,
        "recorded_at": c.recorded_at,
        "first_response_at": c.first_response_at,
        "answered_at": c.answered_at,
        "reply_method": c.reply_method,
        "clock_state": state_of(c),
        "next_deadline": getattr(c, "next_deadline", None),
    }


def _detail(c: Consultation) -> dict:
    now = timezone.now()
    c = with_urgency(Consultation.objects.select_related("hall"), now=now).get(pk=c.pk)
    return _out(c) | {
        "question": c.masked_question,
        "answer": c.masked_answer,
        "clocks": [
            {
                "target": r["clock"].target,
                "deadline": r["clock"].deadline,
                "status": r["clock"].status,
                "state": r["state"],
            }
            for r in clocks_with_state(c, now=now)
        ],
    }


def _get(request, consultation_id: int) -> Consultation:
    token = api_token(request)
    qs = Consultation.objects.filter(source_token=token) if token else consultations_for(request.user)
    found = qs.select_related("hall").filter(pk=consultation_id).first()
    if found is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return found


@router.post("", response={201: ConsultationDetailOut, **ERRORS}, summary="登记咨询 / Record a consultation")
def consultation_create(request, payload: ConsultationIn):
    hall, actor, token = intake_caller(request, payload.hall)
    bt = None
    if payload.business_type:
        bt = BusinessType.objects.for_hall(hall).filter(code=payload.business_type).first()
        if bt is None:
            raise ServiceError("business_type_invalid", _("业务类型不存在"), field="business_type")
    consultation = services.consultation_record(
        hall=hall,
        channel=payload.channel,
        customer_name=payload.customer_name,
        contact_phone=payload.contact_phone,
        question=payload.question,
        business_type=bt,
        actor=actor,
        token=token,
    )
    return Status(201, _detail(consultation))


@router.get("", response={200: list[ConsultationOut], **ERRORS}, summary="咨询列表 / List")
def consultation_index(request, filters: Query[ListQuery]):
    user = api_staff_user(request)
    qs = consultation_list(
        user=user, now=timezone.now(), status=filters.status, state=filters.state, hall_id=filters.hall
    )
    return [_out(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/{consultation_id}", response={200: ConsultationDetailOut, **ERRORS}, summary="咨询详情 / Detail"
)
def consultation_get(request, consultation_id: int):
    return _detail(_get(request, consultation_id))


@router.post(
    "/{consultation_id}/respond",
    response={200: ConsultationDetailOut, **ERRORS},
    summary="线上首次响应 / Respond",
)
def consultation_respond(request, consultation_id: int, payload: RespondIn):
    user = api_staff_user(request)
    c = _get(request, consultation_id)
    services.consultation_respond(consultation=c, actor=user, answer=payload.answer, complex_=payload.complex)
    return _detail(c)


@router.post(
    "/{consultation_id}/answer",
    response={200: ConsultationDetailOut, **ERRORS},
    summary="答复并结案 / Answer",
)
def consultation_answer(request, consultation_id: int, payload: AnswerIn):
    user = api_staff_user(request)
    c = _get(request, consultation_id)
    services.consultation_answer(consultation=c, actor=user, answer=payload.answer, method=payload.method)
    return _detail(c)


add_reveal_route(
    router,
    param="consultation_id",
    fetch=lambda request, user, pk: _get(request, pk),
    reveal=lambda case, **kw: services.consultation_reveal(consultation=case, **kw),
    summary="查看完整联系方式（审计）/ Reveal the caller's name or phone (audited)",
    operation_id="consultations_api_consultation_reveal",
    description="BIZ-2.1: for the callback. Needs ``pi.reveal`` in the hall and a reason; writes a PIAccessLog row. "
    "The field and reason travel in the body, never in the URL; the answer must not be cached.",
)
