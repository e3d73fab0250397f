"""KPI API (SUP-2, SUP-3) under /api/v1/kpi: every figure the pages show, the rows behind it, the three-month flags
and their decisions, the exports and the monthly review pack, the analysis meeting and its improvement plan.
Staff sessions only (device tokens are refused); scoped like the pages; unknown filter values are a 4xx."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from halls.api import ErrorOut
from halls.models import Hall
from kpi import exports, services
from kpi.definitions import KPIS
from kpi.models import Meeting, PlanItem
from kpi.pdf import pack_pdf
from kpi.report import chart_data, review_pack
from kpi.schemas import (
    ClerkOut,
    DecisionIn,
    DefinitionOut,
    FiguresOut,
    FlagOut,
    KpiFollowUpIn,
    KpiHallOut,
    MeetingIn,
    MeetingOut,
    PackOut,
    PlanItemIn,
    PlanItemOut,
    PlanStatusIn,
    RowsOut,
    TrendPointOut,
)
from kpi.selectors import clerk_figures, flag_since, hall_figures, month_figures, standard_for_month, trend
from kpi.web import read_drill, read_flag_filters, read_month, read_scope
from lib.errors import Forbidden, NotFound, ServiceError
from lib.months import add_months
from staff.access import hall_ids_with, require
from staff.web import api_staff_user

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figs(figs) -> list[dict]:
    return [f.as_dict() for f in figs.values()]


def _scope_out(scope) -> dict:
    return {
        "kind": scope.kind,
        "label": str(scope.label),
        "hall_ids": scope.hall_ids,
        "clerk_id": scope.clerk_id,
    }


def _flag_out(flag) -> dict:
    since = [{"month": x["month"], "pct": x["pct"], "status": x["status"]} for x in flag_since(flag)]
    return {
        "id": flag.pk,
        "subject": flag.subject,
        "hall": flag.hall.code,
        "clerk_id": flag.clerk_id,
        "kpi": flag.kpi,
        "month": f"{flag.month:%Y-%m}",
        "months": [{"month": x["month"], "pct": x["pct"], "status": x["status"]} for x in flag.months],
        "since": since,
        "status": flag.status,
        "decision": flag.decision,
        "decided_at": flag.decided_at,
        "retraining_id": flag.retraining_id,
        "retraining_status": flag.retraining.status if flag.retraining_id else None,
    }


def _team_scope(user, params):
    """Lists of clerks or halls are for managers, inspectors and HQ; a clerk sees only their own figures."""
    scope = read_scope(user, params)
    if scope.kind == "clerk":
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    return scope


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/definitions", response={200: list[DefinitionOut], **ERRORS}, summary="考核指标定义 / KPI definitions"
)
def definitions(request, month: str | None = None):
    api_staff_user(request)
    std = standard_for_month(read_month(month))
    return [
        {
            "kpi": k.code,
            "label": str(k.label),
            "clause": k.clause,
            "target": float(std[k.target_param]) if k.target_param else None,
            "min_sample": float(std[k.min_param]) if k.min_param else None,
        }
        for k in KPIS.values()
    ]


@router.get(
    "/figures", response={200: FiguresOut, **ERRORS}, summary="本月（截至昨日）与上月 / This month and last"
)
def figures(
    request,
    month: str | None = None,
    hall: str | None = None,
    region: str | None = None,
    clerk: str | None = None,
):
    """Scope: ``hall`` code, ``region`` code, ``clerk`` user id, or nothing (the viewer's halls / the chain)."""
    user = api_staff_user(request)
    scope = read_scope(user, {"hall": hall, "region": region, "clerk": clerk})
    m = read_month(month)
    prev = add_months(m, -1)
    return {
        "scope": _scope_out(scope),
        "month": f"{m:%Y-%m}",
        "figures": _figs(month_figures(scope, m)),
        "previous_month": f"{prev:%Y-%m}",
        "previous": _figs(month_figures(scope, prev)),
    }


@router.get("/trend", response={200: list[TrendPointOut], **ERRORS}, summary="12个月趋势 / 12-month trend")
def trend_api(
    request,
    month: str | None = None,
    hall: str | None = None,
    region: str | None = None,
    clerk: str | None = None,
    months: int = 12,
):
    user = api_staff_user(request)
    if not 1 <= months <= 36:
        raise ServiceError("invalid_filter", _("筛选条件不正确"), field="months")
    scope = read_scope(user, {"hall": hall, "region": region, "clerk": clerk})
    return [
        {"month": f"{t['month']:%Y-%m}", "figures": _figs(t["figures"])}
        for t in trend(scope, read_month(month), months)
    ]


@router.get("/clerks", response={200: list[ClerkOut], **ERRORS}, summary="员工考核结果 / Per-clerk results")
def clerks(request, month: str | None = None, hall: str | None = None, region: str | None = None):
    user = api_staff_user(request)
    scope = _team_scope(user, {"hall": hall, "region": region})
    return [
        {"clerk_id": c["clerk_id"], "name": c["name"], "hall": c["hall"].code, "figures": _figs(c["figures"])}
        for c in clerk_figures(scope, read_month(month))
    ]


@router.get("/halls", response={200: list[KpiHallOut], **ERRORS}, summary="各厅考核结果 / Per-hall results")
def halls(request, month: str | None = None, region: str | None = None):
    user = api_staff_user(request)
    scope = _team_scope(user, {"region": region})
    return [
        {"hall": h["hall"].code, "name": h["hall"].name, "figures": _figs(h["figures"])}
        for h in hall_figures(scope, read_month(month))
    ]


@router.get("/rows", response={200: RowsOut, **ERRORS}, summary="指标明细 / The rows behind a figure")
def rows(
    request,
    kpi: str,
    month: str | None = None,
    source: str | None = None,
    hall: str | None = None,
    region: str | None = None,
    clerk: str | None = None,
):
    user = api_staff_user(request)
    data = read_drill(
        user, {"kpi": kpi, "month": month, "source": source, "hall": hall, "region": region, "clerk": clerk}
    )
    return {"kpi": data["kpi"], "month": f"{data['month']:%Y-%m}", "rows": data["rows"]}


@router.get("/flags", response={200: list[FlagOut], **ERRORS}, summary="连续未达标记录 / Three-month flags")
def flags(
    request,
    status: str | None = None,
    subject: str | None = None,
    kpi: str | None = None,
    month: str | None = None,
):
    user = api_staff_user(request)
    qs = read_flag_filters(user, {"status": status, "subject": subject, "kpi": kpi, "month": month})
    return [_flag_out(f) for f in qs[:500]]


def _flag(user, flag_id: int):
    return services.flag_get(user, flag_id)


@router.post("/flags/{flag_id}/decision", response={200: FlagOut, **ERRORS}, summary="作出处理决定 / Decide")
def flag_decision(request, flag_id: int, payload: DecisionIn):
    user = api_staff_user(request)
    flag = services.flag_decide(
        flag=_flag(user, flag_id),
        actor=user,
        decision=payload.decision,
        reason=payload.reason,
        due=payload.due,
    )
    return _flag_out(flag)


@router.post("/flags/{flag_id}/follow-up", response={200: FlagOut, **ERRORS}, summary="跟进 / Follow-up")
def flag_follow_up(request, flag_id: int, payload: KpiFollowUpIn):
    user = api_staff_user(request)
    flag = services.flag_follow_up(
        flag=_flag(user, flag_id), actor=user, note=payload.note, close=payload.close
    )
    return _flag_out(flag)


def _export_scope(user, params):
    """Exports need ``kpi.export`` in every hall of the scope."""
    scope = read_scope(user, params)
    allowed = hall_ids_with(user, "kpi.export")
    if allowed is not None and not set(scope.drill_hall_ids()) <= allowed:
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    return scope


XLSX_DOC = {"responses": {"200": {"content": {XLSX: {}}, "description": "Excel"}}}


@router.get(
    "/export/clerks.xlsx",
    response={200: None, **ERRORS},
    openapi_extra=XLSX_DOC,
    summary="员工月度考核导出 / Monthly per-clerk export (Excel)",
)
def export_clerks(request, month: str | None = None, hall: str | None = None, region: str | None = None):
    user = api_staff_user(request)
    scope = _export_scope(user, {"hall": hall, "region": region})
    m = read_month(month)
    return _file(exports.clerks_workbook(clerk_figures(scope, m), m), XLSX, f"kpi-clerks-{m:%Y-%m}.xlsx")


@router.get(
    "/export/flags.xlsx",
    response={200: None, **ERRORS},
    openapi_extra=XLSX_DOC,
    summary="连续未达标记录导出 / Flags register (Excel)",
)
def export_flags(request, status: str | None = None, subject: str | None = None, month: str | None = None):
    user = api_staff_user(request)
    require(user, "kpi.export")
    qs = read_flag_filters(user, {"status": status, "subject": subject, "month": month})
    return _file(exports.flags_workbook(list(qs)), XLSX, "kpi-flags.xlsx")


def _pack(request, month, hall, region):
    user = api_staff_user(request)
    scope = read_scope(user, {"hall": hall, "region": region})
    from kpi.web import previous_month

    return review_pack(scope, read_month(month, previous_month()), user=user)


@router.get("/pack", response={200: PackOut, **ERRORS}, summary="月度分析报告 / Monthly review pack")
def pack(request, month: str | None = None, hall: str | None = None, region: str | None = None):
    p = _pack(request, month, hall, region)
    return {
        "scope": _scope_out(p["scope"]),
        "month": f"{p['month']:%Y-%m}",
        "figures": _figs(p["figures"]),
        "previous": _figs(p["previous"]),
        "trend": chart_data(p),
        "best": [c["name"] for c in p["best"]],
        "weakest": [c["name"] for c in p["weakest"]],
        "flags": len(p["flags"]),
        "plan_items": len(p["items"]),
        "complaints": p["hotspots"]["total"] if p["hotspots"] else None,
        "low_score_evaluations": p["reasons"]["low"] if p["reasons"] else None,
        "rectifications": len(p["findings"]["rectifications"]) if p["findings"] else None,
        "rectifications_overdue": p["findings"]["overdue"] if p["findings"] else None,
        "environment_compliance_pct": p["environment"]["compliance_pct"] if p["environment"] else None,
        "device_availability_pct": p["environment"]["availability_pct"] if p["environment"] else None,
        "highlights": p["highlights"]["highlights"],
        "problems": p["highlights"]["problems"],
    }


@router.get(
    "/pack.pdf",
    response={200: None, **ERRORS},
    summary="月度分析报告PDF / Review pack (PDF)",
    openapi_extra={"responses": {"200": {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def pack_pdf_api(request, month: str | None = None, hall: str | None = None, region: str | None = None):
    p = _pack(request, month, hall, region)
    return _file(pack_pdf(p), "application/pdf", f"kpi-pack-{p['month']:%Y-%m}.pdf")


@router.get(
    "/pack.xlsx",
    response={200: None, **ERRORS},
    openapi_extra=XLSX_DOC,
    summary="月度分析报告Excel / Review pack (Excel)",
)
def pack_xlsx_api(request, month: str | None = None, hall: str | None = None, region: str | None = None):
    p = _pack(request, month, hall, region)
    return _file(exports.pack_workbook(p), XLSX, f"kpi-pack-{p['month']:%Y-%m}.xlsx")


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="服务分析会记录 / Record a meeting")
def meeting_create(request, payload: MeetingIn):
    user = api_staff_user(request)
    hall = Hall.objects.for_user(user).filter(code=payload.hall).first()
    if hall is None:
        raise NotFound("unknown_hall", _("营业厅不存在或无权查看"), field="hall")
    m = services.meeting_record(
        hall=hall,
        actor=user,
        month=read_month(payload.month),
        held_on=payload.held_on,
        attendees=payload.attendees,
        highlights=payload.highlights,
        problems=payload.problems,
        decisions=payload.decisions,
    )
    return Status(201, {"id": m.pk, "hall": hall.code, "month": f"{m.month:%Y-%m}", "held_on": m.held_on})


def _item_out(item) -> dict:
    return {
        "id": item.pk,
        "meeting_id": item.meeting_id,
        "kpi": item.kpi,
        "status": item.status,
        "deadline": item.deadline,
        "done_at": item.done_at,
    }


@router.post(
    "/meetings/{meeting_id}/items",
    response={201: PlanItemOut, **ERRORS},
    summary="服务改进计划事项 / Add an improvement-plan item",
)
def plan_item_create(request, meeting_id: int, payload: PlanItemIn):
    user = api_staff_user(request)
    meeting = Meeting.objects.for_user(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    owner = get_user_model().objects.filter(pk=payload.owner_id, is_active=True).first()
    item = services.plan_item_add(
        meeting=meeting, actor=user, what=payload.what, why=payload.why, owner=owner, kpi=payload.kpi
    )
    return Status(201, _item_out(item))


@router.post(
    "/items/{item_id}/status",
    response={200: PlanItemOut, **ERRORS},
    summary="更新改进事项状态 / Update an item's status",
)
def plan_item_status(request, item_id: int, payload: PlanStatusIn):
    user = api_staff_user(request)
    item = PlanItem.objects.for_user(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return _item_out(
        services.plan_item_update(item=item, actor=user, status=payload.status, evidence=payload.evidence)
    )


class ProcessChangeIn(Schema):
    hall: str
    business_type: str = Field(description="业务类型编码 / business type code")
    effective_on: date
    description: str = Field(..., max_length=2000)


class MeasureOut(Schema):
    handled: int
    on_time_pct: float | None
    avg_handling_minutes: float | None
    avg_wait_minutes: float | None


class ProcessChangeOut(Schema):
    id: int
    hall: str
    business_type: str
    quarter: str
    effective_on: date
    before: MeasureOut
    after: MeasureOut | None


def _change_out(change) -> dict:
    from django.utils import timezone

    from kpi.definitions import local_day
    from kpi.process import process_effect

    effect = process_effect(change, today=local_day(timezone.now()))
    return {
        "id": change.pk,
        "hall": change.hall.code,
        "business_type": change.business_type.code,
        "quarter": change.quarter,
        "effective_on": change.effective_on,
        **effect,
    }


@router.get(
    "/process-changes",
    response={200: list[ProcessChangeOut], **ERRORS},
    summary="流程优化登记 / Process optimisation register",
)
def process_changes(request):
    from kpi.models import ProcessChange

    user = api_staff_user(request)
    qs = ProcessChange.objects.for_user(user, "kpi.view").select_related("hall", "business_type")
    return [_change_out(c) for c in qs[:200]]


@router.post(
    "/process-changes",
    response={201: ProcessChangeOut, **ERRORS},
    summary="登记流程优化 / Record a process change",
)
def process_change_create(request, payload: ProcessChangeIn):
    from catalog.models import BusinessType
    from kpi.process import process_change_record

    user = api_staff_user(request)
    hall = Hall.objects.for_user(user).filter(code=payload.hall).first()
    if hall is None:
        raise NotFound("unknown_hall", _("营业厅不存在或无权查看"), field="hall")
    bt = BusinessType.objects.filter(code=payload.business_type).first()
    if bt is None:
        raise ServiceError("unknown_business", _("本厅不办理该业务"), field="business_type")
    change = process_change_record(
        hall=hall,
        business_type=bt,
        effective_on=payload.effective_on,
        description=payload.description,
        actor=user,
    )
    return Status(201, _change_out(change))
