"""Environment and facilities API (ENV-1 … ENV-4, STF-3.2) under /api/v1/facilities. Staff sessions only: a device
token is a 403; another hall's record is a 404; an unknown filter value is a 400."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from facilities import selectors, services
from facilities.models import (
    CleaningRound,
    Facility,
    FacilityKind,
    FacilityStatus,
    Fault,
    FaultStatus,
    MaintenancePlan,
    Occurrence,
)
from halls.api import ErrorOut
from halls.models import Hall, Zone
from lib.apiauth import staff_session
from lib.errors import NotFound, ServiceError
from staff.web import api_staff_user

router = Router(auth=[staff_session])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _not_found():
    return NotFound("not_found", _("记录不存在或无权查看"))


def _one(qs, pk):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise _not_found()
    return found


def _choice(value: str, allowed, field: str) -> str:
    if value and value not in allowed:
        raise ServiceError("filter_invalid", _("筛选条件不正确"), field=field)
    return value


def _hall(user, hall_id: int) -> Hall:
    return _one(Hall.objects.for_user(user), hall_id)


# --- schemas ------------------------------------------------------------------------------------------------


class FacilityIn(Schema):
    hall: int
    kind: str = Field(description="设施类型 / facility kind, e.g. water, seats, queue_kiosk")
    asset_code: str = Field(max_length=40)
    label: str = Field(max_length=100)
    responsible: int = Field(description="责任人用户ID / responsible user id")
    zone: int | None = None
    location: str = ""


class FacilityOut(Schema):
    id: int
    hall: int
    zone: int | None
    kind: str
    asset_code: str
    label: str
    location: str
    responsible: int
    status: str
    api_token: int | None
    url: str


class FaultIn(Schema):
    description: str = Field(max_length=500)


class FaultActionIn(Schema):
    reason: str = ""


class FaultOut(Schema):
    id: int
    hall: int
    facility: int
    source: str
    status: str
    reports: int
    reported_at: datetime
    confirmed_at: datetime | None
    resolved_at: datetime | None
    announcement: int | None
    notice_up: bool
    guide: int | None
    guide_active: bool
    downtime_seconds: int | None


class ChecklistItem(Schema):
    label: str
    key: str | None = None
    type: str = Field("check", description="check（合格/不合格/不适用） / number")
    min: float | None = None
    max: float | None = None
    unit: str = ""


class PlanIn(Schema):
    hall: int
    title: str
    rrule: str = Field(description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO")
    dtstart: datetime
    checklist: list[ChecklistItem]
    facility: int | None = None
    kind: str = ""


class PlanPatch(Schema):
    title: str | None = None
    rrule: str | None = None
    dtstart: datetime | None = None
    checklist: list[ChecklistItem] | None = None
    is_active: bool | None = None


class PlanOut(Schema):
    id: int
    hall: int
    title: str
    facility: int | None
    kind: str
    rrule: str
    dtstart: datetime
    checklist: list[dict]
    version: int
    is_active: bool


class OccurrenceOut(Schema):
    id: int
    plan: int
    facility: int
    window_start: datetime
    window_end: datetime
    status: str
    overdue: bool
    checklist: list[dict]
    answers: dict
    completed_at: datetime | None
    on_time: bool | None


class CompleteIn(Schema):
    answers: dict[str, str | float] = Field(description="检查项key → pass/fail/na 或数值")
    note: str = ""


class RoundOut(Schema):
    id: int
    hall: int
    day: date
    kind: str
    seq: int
    window_start: datetime
    window_end: datetime
    status: str
    done_at: datetime | None
    on_time: bool | None


class RoundIn(Schema):
    note: str = ""


class Figure(Schema):
    on_time: int
    due: int
    ratio: float | None = Field(description="None = 无到期项目 (nothing due, never 100 %)")


class ComplianceOut(Figure):
    by_kind: dict[str, Figure]


class AvailabilityOut(Schema):
    facility: int
    downtime_seconds: int
    availability: float | None
    mttr_seconds: float | None
    repairs: int


class SheetOut(Schema):
    hall: int
    day: date
    signed_by: int
    signed_at: datetime


class BoardOut(Schema):
    due_now: list[OccurrenceOut]
    overdue: list[OccurrenceOut]
    faults: list[FaultOut]
    rounds: list[RoundOut]
    compliance_today: ComplianceOut


def _facility_out(f: Facility) -> dict:
    return {
        "id": f.pk,
        "hall": f.hall_id,
        "zone": f.zone_id,
        "kind": f.kind,
        "asset_code": f.asset_code,
        "label": f.label,
        "location": f.location,
        "responsible": f.responsible_id,
        "status": f.status,
        "api_token": f.api_token_id,
        "url": f.get_absolute_url(),
    }


def _fault_out(f: Fault) -> dict:
    notice = f.announcement_id is not None and f.status in (FaultStatus.OPEN, FaultStatus.UNDER_REPAIR)
    return {
        "id": f.pk,
        "hall": f.hall_id,
        "facility": f.facility_id,
        "source": f.source,
        "status": f.status,
        "reports": f.reports,
        "reported_at": f.reported_at,
        "confirmed_at": f.confirmed_at,
        "resolved_at": f.resolved_at,
        "announcement": f.announcement_id,
        "notice_up": notice,
        "guide": f.guide_id,
        "guide_active": f.guide_active,
        "downtime_seconds": f.downtime_seconds,
    }


def _plan_out(p: MaintenancePlan) -> dict:
    return {
        "id": p.pk,
        "hall": p.hall_id,
        "title": p.title,
        "facility": p.facility_id,
        "kind": p.kind,
        "rrule": p.rrule,
        "dtstart": p.dtstart,
        "checklist": p.checklist,
        "version": p.version,
        "is_active": p.is_active,
    }


def _occ_out(o: Occurrence, now=None) -> dict:
    now = now or timezone.now()
    return {
        "id": o.pk,
        "plan": o.plan_id,
        "facility": o.facility_id,
        "window_start": o.window_start,
        "window_end": o.window_end,
        "status": o.status,
        "overdue": o.status == "open" and o.window_end <= now,
        "checklist": o.checklist,
        "answers": o.answers,
        "completed_at": o.completed_at,
        "on_time": o.on_time,
    }


def _round_out(r: CleaningRound) -> dict:
    return {
        "id": r.pk,
        "hall": r.hall_id,
        "day": r.day,
        "kind": r.kind,
        "seq": r.seq,
        "window_start": r.window_start,
        "window_end": r.window_end,
        "status": r.status,
        "done_at": r.done_at,
        "on_time": r.on_time,
    }


# --- facilities ---------------------------------------------------------------------------------------------


class FacilityQuery(Schema):
    hall: int | None = None
    kind: str = ""
    status: str = ""


@router.get("", response={200: list[FacilityOut], **ERRORS}, summary="设施台账 / Facilities")
def facility_list(request, q: Query[FacilityQuery]):
    user = api_staff_user(request)
    qs = Facility.objects.for_user(user)
    if q.hall is not None:
        qs = qs.filter(hall_id=_hall(user, q.hall).pk)
    if _choice(q.kind, FacilityKind.values, "kind"):
        qs = qs.filter(kind=q.kind)
    if _choice(q.status, FacilityStatus.values, "status"):
        qs = qs.filter(status=q.status)
    return [_facility_out(f) for f in qs[:500]]


@router.post("", response={201: FacilityOut, **ERRORS}, summary="登记设施 / Register a facility")
def facility_create(request, payload: FacilityIn):
    from django.contrib.auth import get_user_model

    user = api_staff_user(request)
    hall = _hall(user, payload.hall)
    responsible = get_user_model().objects.filter(pk=payload.responsible).first()
    zone = None
    if payload.zone is not None:
        zone = Zone.objects.filter(pk=payload.zone, hall=hall).first()
        if zone is None:
            raise ServiceError("zone_invalid", _("功能区不属于本厅"), field="zone")
    f = services.facility_register(
        user=user,
        hall=hall,
        kind=payload.kind,
        asset_code=payload.asset_code,
        label=payload.label,
        responsible=responsible,
        zone=zone,
        location=payload.location,
    )
    return Status(201, _facility_out(f))


@router.get("/faults", response={200: list[FaultOut], **ERRORS}, summary="故障列表 / Faults")
def fault_list(request, hall: int | None = None, status: str = ""):
    user = api_staff_user(request)
    qs = Fault.objects.for_user(user)
    if hall is not None:
        qs = qs.filter(hall_id=_hall(user, hall).pk)
    if _choice(status, FaultStatus.values, "status"):
        qs = qs.filter(status=status)
    return [_fault_out(f) for f in qs[:500]]


@router.get("/faults/{fault_id}", response={200: FaultOut, **ERRORS}, summary="故障详情 / Fault")
def fault_get(request, fault_id: int):
    return _fault_out(_one(Fault.objects.for_user(api_staff_user(request)), fault_id))


FAULT_ACTIONS = {"confirm", "dismiss", "repair", "resolve", "release"}


@router.post(
    "/faults/{fault_id}/{action}", response={200: FaultOut, **ERRORS}, summary="处理故障 / Fault action"
)
def fault_action(request, fault_id: int, action: str, payload: FaultActionIn):
    user = api_staff_user(request)
    fault = _one(Fault.objects.for_user(user).select_related("facility", "hall"), fault_id)
    if action not in FAULT_ACTIONS:
        raise NotFound("not_found", _("不支持的操作"))
    if action == "confirm":
        fault = services.fault_confirm(user=user, fault=fault)
    elif action == "dismiss":
        fault = services.fault_dismiss(user=user, fault=fault, reason=payload.reason)
    elif action == "repair":
        fault = services.fault_start_repair(user=user, fault=fault)
    elif action == "resolve":
        fault = services.fault_resolve(user=user, fault=fault, resolution=payload.reason)
    else:
        fault = services.guide_release(user=user, fault=fault)
    return _fault_out(fault)


@router.get("/guide-tasks", response={200: list[FaultOut], **ERRORS}, summary="我的引导任务 / My guide tasks")
def guide_tasks(request):
    return [_fault_out(f) for f in selectors.guide_tasks_for(api_staff_user(request))]


# --- plans and checks ---------------------------------------------------------------------------------------


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="维护计划 / Plans")
def plan_list(request, hall: int | None = None):
    user = api_staff_user(request)
    qs = MaintenancePlan.objects.for_user(user)
    if hall is not None:
        qs = qs.filter(hall_id=_hall(user, hall).pk)
    return [_plan_out(p) for p in qs]


@router.post("/plans", response={201: PlanOut, **ERRORS}, summary="新建维护计划 / Create a plan")
def plan_create(request, payload: PlanIn):
    user = api_staff_user(request)
    hall = _hall(user, payload.hall)
    facility = None
    if payload.facility is not None:
        facility = Facility.objects.filter(pk=payload.facility, hall=hall).first()
        if facility is None:
            raise ServiceError("facility_invalid", _("设施不属于本厅"), field="facility")
    plan = services.plan_create(
        user=user,
        hall=hall,
        title=payload.title,
        rrule=payload.rrule,
        dtstart=payload.dtstart,
        checklist=[i.dict() for i in payload.checklist],
        facility=facility,
        kind=payload.kind,
    )
    return Status(201, _plan_out(plan))


@router.patch("/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="修改维护计划 / Change a plan")
def plan_patch(request, plan_id: int, payload: PlanPatch):
    user = api_staff_user(request)
    plan = _one(MaintenancePlan.objects.for_user(user).select_related("hall"), plan_id)
    plan = services.plan_update(
        user=user,
        plan=plan,
        title=payload.title,
        rrule=payload.rrule,
        dtstart=payload.dtstart,
        checklist=[i.dict() for i in payload.checklist] if payload.checklist is not None else None,
        is_active=payload.is_active,
    )
    return _plan_out(plan)


@router.get("/checks", response={200: list[OccurrenceOut], **ERRORS}, summary="维护检查 / Checks")
def occurrence_list(request, hall: int | None = None, state: str = ""):
    user = api_staff_user(request)
    now = timezone.now()
    qs = Occurrence.objects.for_user(user)
    if hall is not None:
        qs = qs.filter(hall_id=_hall(user, hall).pk)
    state = _choice(state, {"due", "overdue", "upcoming", "done"}, "state")
    if state == "due":
        qs = qs.filter(status="open", window_start__lte=now, window_end__gt=now)
    elif state == "overdue":
        qs = qs.filter(status="open", window_end__lte=now)
    elif state == "upcoming":
        qs = qs.filter(status="open", window_start__gt=now)
    elif state == "done":
        qs = qs.filter(status="done")
    return [_occ_out(o, now) for o in qs.order_by("window_start")[:500]]


@router.post(
    "/checks/{occ_id}/complete", response={200: OccurrenceOut, **ERRORS}, summary="完成检查 / Complete"
)
def occurrence_complete(request, occ_id: int, payload: CompleteIn):
    user = api_staff_user(request)
    occ = _one(Occurrence.objects.for_user(user).select_related("plan", "facility", "hall"), occ_id)
    occ = services.occurrence_complete(
        user=user, occurrence=occ, answers={k: str(v) for k, v in payload.answers.items()}, note=payload.note
    )
    return _occ_out(occ)


# --- cleaning, figures, board -------------------------------------------------------------------------------


def _parse_day(raw: str, field: str = "day") -> date:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ServiceError("day_invalid", _("日期格式不正确"), field=field) from None


@router.get("/halls/{hall_id}/rounds", response={200: list[RoundOut], **ERRORS}, summary="清洁记录 / Rounds")
def round_list(request, hall_id: int, day: str = ""):
    hall = _hall(api_staff_user(request), hall_id)
    the_day = _parse_day(day) if day else timezone.localdate()
    return [_round_out(r) for r in CleaningRound.objects.filter(hall=hall, day=the_day)]


@router.post("/rounds/{round_id}/done", response={200: RoundOut, **ERRORS}, summary="完成清洁 / Round done")
def round_done(request, round_id: int, payload: RoundIn):
    user = api_staff_user(request)
    rnd = _one(CleaningRound.objects.for_user(user), round_id)
    return _round_out(services.round_complete(user=user, cleaning_round=rnd, note=payload.note))


@router.post(
    "/halls/{hall_id}/sheets/{day}/sign", response={201: SheetOut, **ERRORS}, summary="签字 / Sign sheet"
)
def sheet_sign(request, hall_id: int, day: str):
    user = api_staff_user(request)
    hall = _hall(user, hall_id)
    sheet = services.sheet_sign(user=user, hall=hall, day=_parse_day(day))
    return Status(
        201,
        {
            "hall": sheet.hall_id,
            "day": sheet.day,
            "signed_by": sheet.signed_by_id,
            "signed_at": sheet.signed_at,
        },
    )


@router.get(
    "/halls/{hall_id}/compliance", response={200: ComplianceOut, **ERRORS}, summary="环境达标率 / Compliance"
)
def compliance(request, hall_id: int, day_from: str, day_to: str):
    hall = _hall(api_staff_user(request), hall_id)
    a, b = _parse_day(day_from, "day_from"), _parse_day(day_to, "day_to")
    if b < a or (b - a).days > 366:
        raise ServiceError("range_invalid", _("日期范围不正确"), field="day_to")
    return selectors.compliance(hall=hall, day_from=a, day_to=b)


@router.get(
    "/halls/{hall_id}/availability", response={200: list[AvailabilityOut], **ERRORS}, summary="可用率与MTTR"
)
def availability(request, hall_id: int, month: str):
    hall = _hall(api_staff_user(request), hall_id)
    try:
        year, mon = (int(x) for x in month.split("-", 1))
        date(year, mon, 1)
    except ValueError:
        raise ServiceError("month_invalid", _("月份格式应为YYYY-MM"), field="month") from None
    rows = selectors.availability(hall=hall, year=year, month=mon)
    return [
        {k: v for k, v in r.items() if k != "availability_pct"} | {"facility": r["facility"].pk} for r in rows
    ]


@router.get("/halls/{hall_id}/board", response={200: BoardOut, **ERRORS}, summary="环境与设施看板 / Board")
def board(request, hall_id: int):
    hall = _hall(api_staff_user(request), hall_id)
    b = selectors.board(hall=hall)
    return {
        "due_now": [_occ_out(o) for o in b["due_now"]],
        "overdue": [_occ_out(o) for o in b["overdue"]],
        "faults": [_fault_out(f) for f in b["faults"]],
        "rounds": [_round_out(r) for r in b["rounds"]],
        "compliance_today": b["compliance_today"],
    }


@router.get("/{facility_id}", response={200: FacilityOut, **ERRORS}, summary="设施详情 / Facility")
def facility_get(request, facility_id: int):
    return _facility_out(_one(Facility.objects.for_user(api_staff_user(request)), facility_id))


@router.post("/{facility_id}/faults", response={201: FaultOut, **ERRORS}, summary="报修 / Report a fault")
def fault_create(request, facility_id: int, payload: FaultIn):
    user = api_staff_user(request)
    facility = _one(Facility.objects.for_user(user).select_related("hall"), facility_id)
    return Status(
        201,
        _fault_out(
            services.fault_report(facility=facility, reported_by=user, description=payload.description)
        ),
    )
