"""Supervision API under /api/v1/inspections (SUP-1.1, SUP-1.3, STF-1): staff sessions only (device tokens get
403), scoped like the pages; an external shopper reaches only ``/my-visits``."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from halls.api import ErrorOut
from halls.models import Hall
from inspections import services
from inspections import visit_services as vs
from inspections.models import (
    ConductFinding,
    Inspection,
    Rectification,
    RectificationStatus,
    RunStatus,
    Visit,
    VisitStatus,
    WeeklyObligation,
)
from inspections.pdf import report_pdf
from inspections.selectors import report_data
from lib.errors import NotFound, ServiceError
from staff.web import api_staff_user

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class InspectionAnswerIn(Schema):
    result: str | None = Field(None, description="pass / fail / na")
    score: float | None = None
    number: float | None = None
    note: str = Field("", max_length=2000)
    clerk: int | None = Field(None, description="涉及员工（用户ID）/ cited clerk (user id)")
    facility_id: int | None = Field(
        None, description="涉及设施（本厅设施ID，不合格时自动报修）/ registered facility"
    )
    facility: str = Field(
        "", max_length=100, description="未登记设施的名称 / an unregistered facility by name"
    )
    owner: int | None = Field(None, description="整改责任人（用户ID）/ rectification owner")
    deadline: date | None = None


class RunStartIn(Schema):
    hall: str = Field(..., description="营业厅编码 / hall code")


class RunSubmitIn(Schema):
    answers: dict[str, InspectionAnswerIn]


class PhotoSubmitForm(Schema):
    answers: str = Field(..., description='JSON: {"<item code>": {"result": "fail", "note": "…"}, …}')
    photo_items: str = Field(
        "", description="照片对应的检查项编码，逗号分隔，与 photos 顺序一致 / codes of the photos"
    )


class RunOut(Schema):
    id: int
    hall: str
    week_start: date
    status: str
    template_version: int
    score_pct: float | None
    failed_critical: bool
    outcome: str
    items: list[dict]


class RectOut(Schema):
    id: int
    hall: str
    source: str
    title: str
    owner_id: int
    deadline: datetime
    status: str
    repeat: bool
    overdue: bool


class VerifyIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500)


class ObligationOut(Schema):
    hall: str
    week_start: date
    due_at: datetime
    status: str


class AppearanceIn(Schema):
    hall: str
    clerks: list[int]
    missed: dict[int, list[str]] = Field(default_factory=dict)


class AppearanceOut(Schema):
    recorded: int


class FindingOut(Schema):
    hall: str
    clerk_id: int
    source: str
    item: str
    at: datetime


class VisitIn(Schema):
    hall: str
    scenario: str = Field(..., max_length=2000)
    items: list[str]
    window_start: date
    window_end: date
    shopper: int = Field(..., description="暗访员用户ID / shopper user id")
    revisit_of: int | None = None


class InspectionVisitOut(Schema):
    id: int
    hall: str
    scenario: str
    window_start: date
    window_end: date
    status: str
    score_pct: float | None
    items: list[dict]


class InspectionReviewIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500)


class ReportForm(Schema):
    arrived_at: datetime
    left_at: datetime
    called_at: datetime | None = None
    ticket_number: str = Field("", max_length=8)
    counter_label: str = Field("", max_length=32)
    clerk_observed: str = Field("", max_length=100)
    findings: str = Field(..., max_length=8000)
    suggestions: str = Field("", max_length=4000)
    answers: str = Field(
        ..., description='JSON: {"<item code>": {"result": "pass"|"fail"|"na"} | {"score": n}}'
    )


class ShopperIn(Schema):
    region: str = Field(..., description="区域编码 / region code")
    username: str = Field(..., max_length=150)
    password: str


class ShopperOut(Schema):
    user_id: int
    username: str


def _one(qs, pk):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return found


def _hall(user, code: str, capability: str) -> Hall:
    hall = Hall.objects.for_user(user).filter(code=code).first()
    if hall is None:
        raise NotFound("not_found", _("营业厅不存在或无权查看"))
    return hall


def _run_out(run: Inspection) -> dict:
    return {
        "id": run.pk,
        "hall": run.hall.code,
        "week_start": run.week_start,
        "status": run.status,
        "template_version": run.template_version.number,
        "score_pct": run.score_pct,
        "failed_critical": run.failed_critical,
        "outcome": run.outcome,
        "items": run.snapshot,
    }


def _rect_out(r: Rectification) -> dict:
    return {
        "id": r.pk,
        "hall": r.hall.code,
        "source": r.source,
        "title": r.title,
        "owner_id": r.owner_id,
        "deadline": r.deadline,
        "status": r.status,
        "repeat": r.repeat,
        "overdue": r.is_overdue(),
    }


def _visit_out(v: Visit) -> dict:
    return {
        "id": v.pk,
        "hall": v.hall.code,
        "scenario": v.scenario,
        "window_start": v.window_start,
        "window_end": v.window_end,
        "status": v.status,
        "score_pct": v.score_pct,
        "items": v.items,
    }


def _run(request, run_id: int) -> Inspection:
    user = api_staff_user(request)
    run = Inspection.objects.for_user(user, "inspection.view").select_related("hall", "template_version")
    return _one(run, pk=run_id)


@router.get("/runs", response={200: list[RunOut], **ERRORS}, summary="服务自查列表 / Self-inspections")
def run_list(request, status: str = "", limit: int = Query(50, ge=1, le=200)):
    user = api_staff_user(request)
    if status and status not in RunStatus.values:
        raise ServiceError("invalid_filter", _("未知的状态"), field="status")
    qs = Inspection.objects.for_user(user, "inspection.view").select_related("hall", "template_version")
    if status:
        qs = qs.filter(status=status)
    return [_run_out(r) for r in qs[:limit]]


@router.post("/runs", response={201: RunOut, **ERRORS}, summary="开始本周自查 / Start this week's run")
def run_start(request, payload: RunStartIn):
    user = api_staff_user(request)
    run = services.inspection_start(hall=_hall(user, payload.hall, "inspection.conduct"), actor=user)
    return Status(201, _run_out(run))


@router.get("/runs/{run_id}", response={200: RunOut, **ERRORS}, summary="自查详情 / Run")
def run_get(request, run_id: int):
    return _run_out(_run(request, run_id))


@router.post("/runs/{run_id}/submit", response={200: RunOut, **ERRORS}, summary="提交自查 / Submit (SUP-1.1)")
def run_submit(request, run_id: int, payload: RunSubmitIn):
    """Photos are taken on the tablet page; through the API an item that requires a photo on fail is refused."""
    run = _run(request, run_id)
    answers = {code: a.dict() for code, a in payload.answers.items()}
    done = services.inspection_submit(inspection=run, answers=answers, actor=request.user)
    return _run_out(done)


@router.post(
    "/runs/{run_id}/submit-with-photos",
    response={200: RunOut, **ERRORS},
    summary="提交自查（含照片）/ Submit with photos (multipart)",
)
def run_submit_photos(
    request, run_id: int, form: Form[PhotoSubmitForm], photos: File[list[UploadedFile]] = None
):
    """Same as ``/submit``; the n-th photo belongs to the n-th code of ``photo_items``."""
    import json

    run = _run(request, run_id)
    try:
        parsed = json.loads(form.answers)
        if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
            raise ValueError
        parsed = {code: InspectionAnswerIn(**value).dict() for code, value in parsed.items()}
    except (ValueError, TypeError):
        raise ServiceError("invalid_answers", _("评分格式不正确"), field="answers") from None
    codes = [c.strip() for c in form.photo_items.split(",") if c.strip()]
    photos = photos or []
    if len(codes) != len(photos) or len(set(codes)) != len(codes) or set(codes) - set(parsed):
        raise ServiceError("photo_items_mismatch", _("照片与检查项不对应"), field="photo_items")
    for code, photo in zip(codes, photos, strict=True):
        parsed[code]["photo"] = photo
    return _run_out(services.inspection_submit(inspection=run, answers=parsed, actor=request.user))


@router.get(
    "/runs/{run_id}/report.pdf",
    response={200: None, **ERRORS},
    summary="服务自查报告PDF / Report (PDF)",
    openapi_extra={"responses": {"200": {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def run_pdf(request, run_id: int):
    run = _run(request, run_id)
    if run.status != RunStatus.SUBMITTED:
        raise NotFound("not_found", _("自查尚未提交"))
    return HttpResponse(report_pdf(report_data(run), run), content_type="application/pdf")


@router.get(
    "/rectifications", response={200: list[RectOut], **ERRORS}, summary="整改项 / Rectification items"
)
def rect_list(request, status: str = "", limit: int = Query(100, ge=1, le=500)):
    user = api_staff_user(request)
    if status and status not in RectificationStatus.values:
        raise ServiceError("invalid_filter", _("未知的状态"), field="status")
    qs = Rectification.objects.for_user(user, "inspection.view").select_related("hall")
    if status:
        qs = qs.filter(status=status)
    return [_rect_out(r) for r in qs[:limit]]


def _rect(request, rect_id: int) -> Rectification:
    user = api_staff_user(request)
    return _one(Rectification.objects.for_user(user, "inspection.view").select_related("hall"), pk=rect_id)


@router.post(
    "/rectifications/{rect_id}/complete", response={200: RectOut, **ERRORS}, summary="提交整改完成 / Complete"
)
def rect_complete(request, rect_id: int, photo: File[UploadedFile], note: Form[str] = ""):
    rect = services.rectification_complete(
        rectification=_rect(request, rect_id), actor=request.user, photo=photo, note=note
    )
    return _rect_out(rect)


@router.post("/rectifications/{rect_id}/verify", response={200: RectOut, **ERRORS}, summary="验收 / Verify")
def rect_verify(request, rect_id: int, payload: VerifyIn):
    rect = services.rectification_verify(
        rectification=_rect(request, rect_id),
        actor=request.user,
        accept=payload.accept,
        reason=payload.reason,
    )
    return _rect_out(rect)


@router.get(
    "/obligations", response={200: list[ObligationOut], **ERRORS}, summary="每周自查任务 / Weekly obligations"
)
def obligation_list(request, limit: int = Query(100, ge=1, le=500)):
    user = api_staff_user(request)
    qs = WeeklyObligation.objects.for_user(user, "inspection.view").select_related("hall")[:limit]
    return [
        {"hall": o.hall.code, "week_start": o.week_start, "due_at": o.due_at, "status": o.status} for o in qs
    ]


@router.post(
    "/appearance", response={201: AppearanceOut, **ERRORS}, summary="班前会检查 / Pre-shift check (STF-1)"
)
def appearance(request, payload: AppearanceIn):
    user = api_staff_user(request)
    done = services.appearance_record(
        hall=_hall(user, payload.hall, "appearance.check"),
        actor=user,
        clerk_ids=payload.clerks,
        missed=payload.missed,
    )
    return Status(201, {"recorded": len(done)})


@router.get(
    "/findings", response={200: list[FindingOut], **ERRORS}, summary="服务规范问题 / Conduct findings"
)
def finding_list(request, limit: int = Query(100, ge=1, le=500)):
    user = api_staff_user(request)
    qs = ConductFinding.objects.for_user(user, "inspection.view").select_related("hall")[:limit]
    return [
        {"hall": f.hall.code, "clerk_id": f.clerk_id, "source": f.source, "item": f.item, "at": f.at}
        for f in qs
    ]


@router.get(
    "/visits",
    response={200: list[InspectionVisitOut], **ERRORS},
    summary="暗访（未通过的仅质检员可见）/ Visits",
)
def visit_list(request, status: str = "", limit: int = Query(100, ge=1, le=500)):
    user = api_staff_user(request)
    if status and status not in VisitStatus.values:
        raise ServiceError("invalid_filter", _("未知的状态"), field="status")
    qs = vs.visits_visible(user)
    if status:
        qs = qs.filter(status=status)
    return [_visit_out(v) for v in qs[:limit]]


@router.post(
    "/visits", response={201: InspectionVisitOut, **ERRORS}, summary="新建暗访方案 / Plan a visit (SUP-1.3)"
)
def visit_create(request, payload: VisitIn):
    from django.contrib.auth import get_user_model

    user = api_staff_user(request)
    revisit = vs.visits_visible(user).filter(pk=payload.revisit_of).first() if payload.revisit_of else None
    if payload.revisit_of and revisit is None:
        raise ServiceError("revisit_invalid", _("只能对本厅已通过的暗访安排复访"), field="revisit_of")
    visit = vs.visit_plan(
        hall=_hall(user, payload.hall, "mystery.plan"),
        scenario=payload.scenario,
        item_codes=payload.items,
        window_start=payload.window_start,
        window_end=payload.window_end,
        shopper=get_user_model().objects.filter(pk=payload.shopper).first(),
        actor=user,
        revisit_of=revisit,
    )
    return Status(201, _visit_out(visit))


@router.get("/visits/{visit_id}", response={200: InspectionVisitOut, **ERRORS}, summary="暗访详情 / Visit")
def visit_get(request, visit_id: int):
    return _visit_out(_one(vs.visits_visible(api_staff_user(request)), pk=visit_id))


@router.post(
    "/visits/{visit_id}/review", response={200: InspectionVisitOut, **ERRORS}, summary="审核暗访报告 / Review"
)
def visit_review(request, visit_id: int, payload: InspectionReviewIn):
    user = api_staff_user(request)
    visit = _one(vs.visits_visible(user), pk=visit_id)
    return _visit_out(vs.visit_review(visit=visit, actor=user, accept=payload.accept, reason=payload.reason))


@router.get(
    "/my-visits",
    response={200: list[InspectionVisitOut], **ERRORS},
    summary="我的暗访任务 / My visits (shopper)",
)
def my_visits(request):
    return [_visit_out(v) for v in Visit.objects.assigned_to(api_staff_user(request)).select_related("hall")]


@router.post(
    "/my-visits/{visit_id}/report",
    response={200: InspectionVisitOut, **ERRORS},
    summary="提交暗访报告 / Submit report",
)
def my_visit_report(request, visit_id: int, form: Form[ReportForm], files: File[list[UploadedFile]] = None):
    import json

    user = api_staff_user(request)
    visit = _one(Visit.objects.assigned_to(user).select_related("hall"), pk=visit_id)
    try:
        answers = json.loads(form.answers)
        if not isinstance(answers, dict) or not all(isinstance(v, dict) for v in answers.values()):
            raise ValueError
    except ValueError:
        raise ServiceError("invalid_answers", _("评分格式不正确"), field="answers") from None
    done = vs.visit_report_submit(
        visit=visit,
        actor=user,
        arrived_at=form.arrived_at,
        left_at=form.left_at,
        called_at=form.called_at,
        ticket_number=form.ticket_number,
        counter_label=form.counter_label,
        clerk_observed=form.clerk_observed,
        answers=answers,
        findings=form.findings,
        suggestions=form.suggestions,
        files=files or [],
    )
    return _visit_out(done)


@router.post("/shoppers", response={201: ShopperOut, **ERRORS}, summary="新建暗访员账号 / Create a shopper")
def shopper_create(request, payload: ShopperIn):
    from halls.models import Region

    user = api_staff_user(request)
    region = Region.objects.for_user(user).filter(code=payload.region).first()
    if region is None:
        raise NotFound("not_found", _("区域不存在或无权查看"))
    account = vs.shopper_create(
        region=region, username=payload.username, password=payload.password, actor=user
    )
    return Status(201, {"user_id": account.user_id, "username": account.user.username})
