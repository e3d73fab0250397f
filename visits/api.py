"""Home-visit API (BIZ-1.2, BIZ-4) under /api/v1/visits. Staff sessions only; another hall's visit is a 404.
Name, phone and address are masked in every answer; the full value only through the audited reveal."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from casework.api import add_reveal_route
from catalog.models import BusinessType
from halls.api import ErrorOut
from halls.models import Hall
from lib.errors import NotFound, ServiceError
from staff.web import api_staff_user
from visits import services
from visits.models import HomeVisit
from visits.selectors import visit_list, visits_for

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class VisitBookIn(Schema):
    hall: str = Field(..., description="营业厅编码 / hall code")
    reason: str = Field(..., description="limited_mobility / group_agreement")
    agreement_reference: str = Field("", max_length=64)
    customer_name: str = Field(..., max_length=100)
    contact_phone: str = Field(..., max_length=20)
    address: str = Field(..., max_length=300)
    content: str = Field(..., max_length=2000)
    business_type: str | None = Field(None, description="业务类型编码（可选）")
    preferred_time: datetime | None = None


class VisitOut(Schema):
    id: int
    number: str
    hall: str
    status: str
    reason: str
    customer: str = Field(description="脱敏 / masked")
    contact_phone: str = Field(description="脱敏 / masked")
    address: str = Field(description="脱敏 / masked")
    scheduled_at: datetime | None
    clerk: str | None = Field(description="上门员工用户名 / assigned clerk's username")


class VisitDetailOut(VisitOut):
    agreement_reference: str
    content: str = Field(description="号码类信息已脱敏 / numbers masked")
    preferred_time: datetime | None
    confirmed_at: datetime | None
    authoriser: str
    authoriser_name: str = Field(description="脱敏 / masked")
    authorisation_method: str
    authorised_at: datetime | None
    assigned_at: datetime | None
    outcome: str
    result: str = Field(description="号码类信息已脱敏 / numbers masked")
    done_at: datetime | None
    cancelled_at: datetime | None


class ListQuery(Schema):
    status: str = ""
    hall: int | None = Field(None, ge=1, le=2**63 - 1)
    mine: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class ConfirmIn(Schema):
    scheduled_at: datetime
    content: str = Field("", max_length=2000)
    note: str = Field("", max_length=500)


class AuthoriseIn(Schema):
    authoriser: str = Field(..., description="self / guardian / agent / group_contact")
    authoriser_name: str = Field(..., max_length=100)
    method: str = Field(..., description="written / recorded_call / sms / in_person")
    authorised_at: datetime


class AssignIn(Schema):
    clerk: str = Field(..., description="用户名 / username")


class ResultIn(Schema):
    outcome: str = Field(..., description="completed / not_completed")
    result: str = Field(..., max_length=2000)


class CancelIn(Schema):
    reason: str = Field(..., max_length=500)


def _out(v: HomeVisit) -> dict:
    return {
        "id": v.pk,
        "number": v.number,
        "hall": v.hall.code,
        "status": v.status,
        "reason": v.reason,
        "customer": v.masked_name,
        "contact_phone": v.masked_phone,
        "address": v.masked_address,
        "scheduled_at": v.scheduled_at,
        "clerk": v.clerk.get_username() if v.clerk_id else None,
    }


def _detail(v: HomeVisit) -> dict:
    v = HomeVisit.objects.select_related("hall", "clerk").get(pk=v.pk)
    return _out(v) | {
        "agreement_reference": v.agreement_reference,
        "content": v.masked_content,
        "preferred_time": v.preferred_time,
        "confirmed_at": v.confirmed_at,
        "authoriser": v.authoriser,
        "authoriser_name": v.masked_authoriser_name,
        "authorisation_method": v.authorisation_method,
        "authorised_at": v.authorised_at,
        "assigned_at": v.assigned_at,
        "outcome": v.outcome,
        "result": v.masked_result,
        "done_at": v.done_at,
        "cancelled_at": v.cancelled_at,
    }


def _get(user, visit_id: int) -> HomeVisit:
    found = visits_for(user).select_related("hall", "clerk").filter(pk=visit_id).first()
    if found is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return found


@router.post("", response={201: VisitDetailOut, **ERRORS}, summary="预约上门服务 / Book a home visit")
def visit_create(request, payload: VisitBookIn):
    user = api_staff_user(request)
    hall = Hall.objects.for_user(user).filter(code=payload.hall).first()
    if hall is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    bt = None
    if payload.business_type:
        bt = BusinessType.objects.for_hall(hall).filter(code=payload.business_type).first()
        if bt is None:
            raise ServiceError("business_type_invalid", _("业务类型不存在"), field="business_type")
    visit = services.visit_book(
        hall=hall,
        reason=payload.reason,
        agreement_reference=payload.agreement_reference,
        customer_name=payload.customer_name,
        contact_phone=payload.contact_phone,
        address=payload.address,
        content=payload.content,
        business_type=bt,
        preferred_time=payload.preferred_time,
        actor=user,
    )
    return Status(201, _detail(visit))


@router.get("", response={200: list[VisitOut], **ERRORS}, summary="上门服务列表 / List")
def visit_index(request, filters: Query[ListQuery]):
    user = api_staff_user(request)
    qs = visit_list(user=user, status=filters.status, hall_id=filters.hall, mine=filters.mine)
    return [_out(v) for v in qs[filters.offset : filters.offset + filters.limit]]


@router.get("/{visit_id}", response={200: VisitDetailOut, **ERRORS}, summary="上门服务详情 / Detail")
def visit_get(request, visit_id: int):
    return _detail(_get(api_staff_user(request), visit_id))


@router.post(
    "/{visit_id}/confirm", response={200: VisitDetailOut, **ERRORS}, summary="确认内容与时间 / Confirm"
)
def visit_confirm(request, visit_id: int, payload: ConfirmIn):
    user = api_staff_user(request)
    visit = services.visit_confirm(visit=_get(user, visit_id), actor=user, **payload.dict())
    return _detail(visit)


@router.post(
    "/{visit_id}/authorise",
    response={200: VisitDetailOut, **ERRORS},
    summary="记录客户授权 / Record authorisation",
)
def visit_authorise(request, visit_id: int, payload: AuthoriseIn):
    user = api_staff_user(request)
    visit = services.visit_authorise(visit=_get(user, visit_id), actor=user, **payload.dict())
    return _detail(visit)


@router.post("/{visit_id}/assign", response={200: VisitDetailOut, **ERRORS}, summary="派员 / Assign a clerk")
def visit_assign(request, visit_id: int, payload: AssignIn):
    user = api_staff_user(request)
    visit = _get(user, visit_id)
    clerk = get_user_model().objects.filter(username=payload.clerk, is_active=True).first()
    return _detail(services.visit_assign(visit=visit, actor=user, clerk=clerk))


@router.post(
    "/{visit_id}/result", response={200: VisitDetailOut, **ERRORS}, summary="记录结果 / Record the result"
)
def visit_result(request, visit_id: int, payload: ResultIn):
    user = api_staff_user(request)
    visit = services.visit_record_result(visit=_get(user, visit_id), actor=user, **payload.dict())
    return _detail(visit)


@router.post("/{visit_id}/cancel", response={200: VisitDetailOut, **ERRORS}, summary="取消 / Cancel")
def visit_cancel(request, visit_id: int, payload: CancelIn):
    user = api_staff_user(request)
    return _detail(services.visit_cancel(visit=_get(user, visit_id), actor=user, reason=payload.reason))


add_reveal_route(
    router,
    param="visit_id",
    fetch=lambda request, user, pk: _get(user, pk),
    reveal=lambda case, **kw: services.visit_reveal(visit=case, **kw),
    summary="查看完整地址或联系方式（审计）/ Reveal address, phone or name (audited)",
    operation_id="visits_api_visit_reveal",
)
