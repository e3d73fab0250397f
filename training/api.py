"""Training API (STF-3.1) under /api/v1/training: sessions, QR sign-in, quiz scores, coverage, retraining.

Staff sessions only (a device token is refused): the clerk signs in as themselves. Another hall's session is a 404.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from halls.api import ErrorOut
from halls.models import Hall
from lib.errors import NotFound, ServiceError
from staff.access import hall_ids_with, require
from staff.web import api_staff_user
from training import services
from training.models import Attendance, RetrainingAssignment, RetrainingStatus, TrainingSession
from training.selectors import (
    case_view,
    coverage_for_halls,
    my_training,
    parse_month,
    readable_hall_ids,
    session_list,
    sessions_for,
)

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SessionIn(Schema):
    hall: str = Field(..., description="营业厅编码 / hall code")
    kind: str = Field(..., description="briefing / case_review / retraining")
    title: str = Field(..., max_length=120)
    starts_at: datetime
    ends_at: datetime
    trainer: str | None = Field(None, description="讲师用户名（本厅员工）/ trainer username")
    trainer_name: str = Field("", max_length=64, description="外部讲师姓名 / external trainer")
    description: str = Field("", max_length=4000)
    links: list[str] = Field(default_factory=list, max_length=20)
    has_quiz: bool = False


class TrainingMaterialOut(Schema):
    id: int
    kind: str
    title: str
    url: str = Field(description="链接，或需登录的下载地址 / link, or the access-checked download path")
    size: int


class CaseOut(Schema):
    number: str
    kind: str
    status: str
    business_type: str
    summary: str = Field(description="脱敏 / masked, no name or phone")
    responsibility: str
    accepted_on: date


class AttendanceOut(Schema):
    id: int
    clerk: str = Field(description="用户名 / username")
    name: str
    signed_at: datetime
    method: str
    quiz_score: int | None


class SessionOut(Schema):
    id: int
    hall: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    trainer: str
    status: str
    has_quiz: bool
    signed: int


class SessionDetailOut(SessionOut):
    description: str
    materials: list[TrainingMaterialOut]
    cases: list[CaseOut]
    attendances: list[AttendanceOut]


class ListQuery(Schema):
    month: str = Field("", description="YYYY-MM，默认本月 / default this month")
    hall: int | None = Field(None, ge=1, le=2**63 - 1)
    kind: str = ""


class CasesIn(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=20)


class TokenOut(Schema):
    token: str
    url: str
    expires_at: datetime


class SignInIn(Schema):
    token: str = Field(..., max_length=500)


class SignInOut(Schema):
    created: bool
    attendance: AttendanceOut
    session: SessionOut


class ScoreIn(Schema):
    score: int = Field(..., ge=0, le=100)


class ManualIn(Schema):
    clerk: str = Field(..., description="用户名 / username")


class PersonOut(Schema):
    username: str
    name: str
    employee_number: str
    attended: int
    covered: bool


class CoverageOut(Schema):
    hall: str
    month: str
    required: int
    total: int
    covered: int
    rate: float | None
    missing: list[PersonOut]


class CoverageQuery(Schema):
    month: str = ""
    hall: int | None = Field(None, ge=1, le=2**63 - 1)


class RetrainingIn(Schema):
    hall: str = Field(..., description="营业厅编码 / hall code")
    clerk: str = Field(..., description="用户名 / username")
    reason: str = Field(..., max_length=500)
    due: date | None = None


class RetrainingOut(Schema):
    id: int
    hall: str
    clerk: str
    reason: str = Field(description="号码类信息已脱敏 / numbers masked")
    due: date | None
    status: str
    assigned_at: datetime
    done_at: datetime | None
    session_id: int | None


class RetrainingQuery(Schema):
    status: str = ""
    hall: int | None = Field(None, ge=1, le=2**63 - 1)


class MineOut(Schema):
    month: str
    required: int
    attended: int
    covered: bool
    sessions: list[SessionOut]
    retraining: list[RetrainingOut]


def _name(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.full_name if profile else user.get_username()


def _signed(s: TrainingSession) -> int:
    annotated = getattr(s, "signed", None)  # session_list annotates it; a single session counts once
    return annotated if annotated is not None else s.attendances.count()


def _session_out(s: TrainingSession, signed: int | None = None) -> dict:
    return {
        "id": s.pk,
        "hall": s.hall.code,
        "kind": s.kind,
        "title": s.title,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "trainer": s.trainer_label,
        "status": s.status,
        "has_quiz": s.has_quiz,
        "signed": signed if signed is not None else _signed(s),
    }


def _attendance_out(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "clerk": a.clerk.get_username(),
        "name": _name(a.clerk),
        "signed_at": a.signed_at,
        "method": a.method,
        "quiz_score": a.quiz_score,
    }


def _detail(user, s: TrainingSession) -> dict:
    from staff.access import user_can

    readers = user_can(user, "training.manage", s.hall) or user_can(user, "report.view", s.hall)
    attendances = s.attendances.select_related("clerk__staff_profile")
    if not readers:
        attendances = attendances.filter(clerk=user)
    return _session_out(s) | {
        "description": s.description,
        "materials": [
            {
                "id": m.pk,
                "kind": m.kind,
                "title": m.title,
                "url": m.url or reverse("training:material", args=[s.pk, m.pk]),
                "size": m.size,
            }
            for m in s.materials.all()
        ],
        "cases": [
            case_view(link.complaint) for link in s.case_links.select_related("complaint__business_type")
        ],
        "attendances": [_attendance_out(a) for a in attendances],
    }


def _get(user, session_id: int) -> TrainingSession:
    found = sessions_for(user).select_related("hall", "trainer__staff_profile").filter(pk=session_id).first()
    if found is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return found


def _hall(user, code: str, capability: str) -> Hall:
    hall = Hall.objects.for_user(user).filter(code=code).first()
    if hall is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    require(user, capability, hall)
    return hall


def _user(username: str | None, field: str):
    if not username:
        return None
    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ServiceError("user_not_found", _("员工不存在"), field=field)
    return found


def _retraining_out(r: RetrainingAssignment) -> dict:
    return {
        "id": r.pk,
        "hall": r.hall.code,
        "clerk": r.clerk.get_username(),
        "reason": r.masked_reason,
        "due": r.due,
        "status": r.status,
        "assigned_at": r.assigned_at,
        "done_at": r.done_at,
        "session_id": r.session_id,
    }


@router.get("/sessions", response={200: list[SessionOut], **ERRORS}, summary="培训场次 / Sessions of a month")
def session_index(request, filters: Query[ListQuery]):
    user = api_staff_user(request)
    year, month = parse_month(filters.month)
    qs = session_list(user=user, year=year, month=month, hall_id=filters.hall, kind=filters.kind)
    return [_session_out(s) for s in qs[:500]]


@router.post("/sessions", response={201: SessionDetailOut, **ERRORS}, summary="安排培训 / Plan a session")
def session_create(request, payload: SessionIn):
    user = api_staff_user(request)
    hall = _hall(user, payload.hall, "training.manage")
    session = services.session_create(
        hall=hall,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        trainer=_user(payload.trainer, "trainer"),
        trainer_name=payload.trainer_name,
        description=payload.description,
        links=payload.links,
        has_quiz=payload.has_quiz,
        actor=user,
    )
    return Status(201, _detail(user, _get(user, session.pk)))


@router.get("/sessions/{session_id}", response={200: SessionDetailOut, **ERRORS}, summary="培训详情 / Detail")
def session_get(request, session_id: int):
    user = api_staff_user(request)
    return _detail(user, _get(user, session_id))


@router.post(
    "/sessions/{session_id}/cases",
    response={200: SessionDetailOut, **ERRORS},
    summary="关联复盘案例 / Link complaint files to a case review",
)
def session_cases(request, session_id: int, payload: CasesIn):
    user = api_staff_user(request)
    session = _get(user, session_id)
    services.session_link_cases(session=session, actor=user, numbers=payload.numbers)
    return _detail(user, session)


@router.post(
    "/sessions/{session_id}/cancel", response={200: SessionOut, **ERRORS}, summary="取消培训 / Cancel"
)
def session_cancel(request, session_id: int):
    user = api_staff_user(request)
    session = services.session_cancel(session=_get(user, session_id), actor=user)
    return _session_out(session)


@router.post(
    "/sessions/{session_id}/sign-in-token",
    response={200: TokenOut, **ERRORS},
    summary="签到二维码令牌 / A fresh signed sign-in token (expires in minutes)",
)
def session_token(request, session_id: int):
    user = api_staff_user(request)
    data = services.signin_token(session=_get(user, session_id), actor=user)
    return {
        "token": data["token"],
        "url": request.build_absolute_uri(data["path"]),
        "expires_at": data["expires_at"],
    }


@router.post(
    "/sign-in",
    response={200: SignInOut, 201: SignInOut, **ERRORS},
    summary="扫码签到 / Sign in (as yourself)",
)
def sign_in(request, payload: SignInIn):
    user = api_staff_user(request)
    attendance, created = services.attendance_sign_in(token=payload.token, clerk=user)
    body = {
        "created": created,
        "attendance": _attendance_out(attendance),
        "session": _session_out(attendance.session),
    }
    return Status(201 if created else 200, body)


@router.post(
    "/sessions/{session_id}/attendances",
    response={201: AttendanceOut, **ERRORS},
    summary="补登签到 / Record a sign-in for a clerk",
)
def attendance_add(request, session_id: int, payload: ManualIn):
    user = api_staff_user(request)
    session = _get(user, session_id)
    clerk = _user(payload.clerk, "clerk")
    return Status(201, _attendance_out(services.attendance_record(session=session, clerk=clerk, actor=user)))


@router.post(
    "/sessions/{session_id}/attendances/{attendance_id}/score",
    response={200: AttendanceOut, **ERRORS},
    summary="测验成绩 / Quiz score (0–100)",
)
def attendance_score(request, session_id: int, attendance_id: int, payload: ScoreIn):
    user = api_staff_user(request)
    session = _get(user, session_id)
    attendance = Attendance.objects.filter(session=session, pk=attendance_id).select_related("clerk").first()
    if attendance is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return _attendance_out(services.attendance_score(attendance=attendance, actor=user, score=payload.score))


@router.get("/coverage", response={200: list[CoverageOut], **ERRORS}, summary="培训覆盖 / Monthly coverage")
def coverage(request, filters: Query[CoverageQuery]):
    user = api_staff_user(request)
    year, month = parse_month(filters.month)
    ids = readable_hall_ids(user)
    halls = (
        Hall.objects.filter(is_active=True)
        if ids is None
        else Hall.objects.filter(pk__in=ids, is_active=True)
    )
    if filters.hall is not None:
        halls = halls.filter(pk=filters.hall)
        if not halls.exists():
            raise NotFound("not_found", _("记录不存在或无权查看"))
    elif ids is not None and not ids:
        raise ServiceError("forbidden", _("您没有执行此操作的权限"), status=403)
    rows = coverage_for_halls(halls=halls, year=year, month=month)
    return [
        {
            "hall": r["hall"].code,
            "month": f"{year:04d}-{month:02d}",
            "required": r["required"],
            "total": r["total"],
            "covered": r["covered"],
            "rate": r["rate"],
            "missing": [
                {
                    "username": p["user"].get_username(),
                    "name": p["name"],
                    "employee_number": p["employee_number"],
                    "attended": p["attended"],
                    "covered": p["covered"],
                }
                for p in r["missing"]
            ],
        }
        for r in rows
    ]


@router.post(
    "/retraining", response={201: RetrainingOut, **ERRORS}, summary="指派转岗培训 / Assign retraining"
)
def retraining_create(request, payload: RetrainingIn):
    user = api_staff_user(request)
    hall = _hall(user, payload.hall, "training.assign")
    clerk = _user(payload.clerk, "clerk")
    assignment = services.retraining_assign(
        clerk=clerk, hall=hall, reason=payload.reason, assigned_by=user, due=payload.due
    )
    return Status(201, _retraining_out(assignment))


@router.get(
    "/retraining", response={200: list[RetrainingOut], **ERRORS}, summary="转岗培训指派 / Assignments"
)
def retraining_index(request, filters: Query[RetrainingQuery]):
    user = api_staff_user(request)
    if filters.status and filters.status not in RetrainingStatus.values:
        raise ServiceError("invalid_status", _("状态参数不正确"), field="status")
    ids = hall_ids_with(user, "training.assign")
    readers = readable_hall_ids(user)
    qs = RetrainingAssignment.objects.select_related("hall", "clerk")
    if ids is not None and readers is not None:
        qs = qs.filter(hall_id__in=ids | readers)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.hall is not None:
        qs = qs.filter(hall_id=filters.hall)
    return [_retraining_out(r) for r in qs[:500]]


@router.get("/mine", response={200: MineOut, **ERRORS}, summary="我的培训 / My trainings this month")
def mine(request):
    user = api_staff_user(request)
    require(user, "training.attend")
    today = timezone.localdate()
    data = my_training(user=user, year=today.year, month=today.month)
    return {
        "month": f"{today.year:04d}-{today.month:02d}",
        "required": data["required"],
        "attended": data["attended"],
        "covered": data["covered"],
        "sessions": [_session_out(s) for s in data["sessions"]],
        "retraining": [_retraining_out(r) for r in data["retraining"]],
    }
