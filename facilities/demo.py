"""Demo environment and facilities: every demo hall gets its facilities (kiosk and display linked to their device
tokens), three plans, a week of cleaning and check history with a few late rounds, and hall 1 one open fault.
Idempotent: a hall that already has facilities is left alone. Placed relative to today."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from facilities.models import (
    CleaningRound,
    Facility,
    FacilityKind,
    MaintenancePlan,
    Occurrence,
    OccurrenceStatus,
    RoundStatus,
    StatusChange,
)
from facilities.services import fault_report, maintenance_sweep, rounds_generate
from facilities.services._common import SHANGHAI, local_day
from facilities.services.maintenance import _clean_checklist
from halls.models import ZoneKind
from integrations.models import ApiToken, TokenKind
from sla.models import Target
from sla.services import clock_meet
from staff.models import HallAssignment, HallRole

# asset code suffix, kind, label, zone kind, location
FACILITIES = [
    ("KS1", FacilityKind.QUEUE_KIOSK, "取号机", ZoneKind.GUIDANCE, "入口右侧"),
    ("DP1", FacilityKind.CALLING_DISPLAY, "叫号显示屏", ZoneKind.WAITING, "等候区正面墙"),
    ("SS1", FacilityKind.SELF_SERVICE, "自助服务终端1", ZoneKind.SELF_SERVICE, "自助区靠窗"),
    ("SS2", FacilityKind.SELF_SERVICE, "自助服务终端2", ZoneKind.SELF_SERVICE, "自助区中间"),
    ("WD1", FacilityKind.WATER, "饮水机（含纸杯）", ZoneKind.WAITING, "等候区东侧"),
    ("ST1", FacilityKind.SEATS, "等候座椅A排", ZoneKind.WAITING, "等候区前排"),
    ("ST2", FacilityKind.SEATS, "等候座椅B排", ZoneKind.WAITING, "等候区后排"),
    ("CH1", FacilityKind.CHARGING, "充电桩", ZoneKind.WAITING, "等候区立柱"),
    ("FD1", FacilityKind.FORM_DESK, "填单台（含填单样本）", ZoneKind.GUIDANCE, "引导台旁"),
    ("RR1", FacilityKind.READING_RACK, "阅读架", ZoneKind.WAITING, "等候区西侧"),
    ("IS1", FacilityKind.INFO_SCREEN, "信息发布屏（流程/资费）", ZoneKind.GUIDANCE, "入口正面"),
    ("PR1", FacilityKind.PRINTER, "复印打印机", ZoneKind.SELF_SERVICE, "自助区角落"),
    ("RP1", FacilityKind.RAMP, "无障碍坡道", ZoneKind.GUIDANCE, "正门"),
    ("LC1", FacilityKind.LOW_COUNTER, "低位服务台", ZoneKind.SERVICE, "1号窗口旁"),
]

PLANS = [
    (
        "座椅稳固性检查（每周一）",
        "FREQ=WEEKLY;BYDAY=MO",
        9,
        FacilityKind.SEATS,
        [{"label": "座椅稳固无松动"}, {"label": "无破损"}],
    ),
    (
        "饮水机滤芯与水质检查（每月）",
        "FREQ=MONTHLY",
        10,
        FacilityKind.WATER,
        [
            {"key": "filter", "label": "滤芯在有效期内"},
            {"key": "cups", "label": "纸杯充足"},
            {"key": "tds", "label": "出水TDS", "type": "number", "min": 0, "max": 50, "unit": "ppm"},
        ],
    ),
    (
        "自助终端开机自检（每日）",
        "FREQ=DAILY",
        9,
        FacilityKind.SELF_SERVICE,
        [{"label": "屏幕触控正常"}, {"label": "打印纸充足"}, {"label": "操作指引清晰"}],
    ),
]


def _owner(hall):
    a = (
        HallAssignment.objects.filter(hall=hall, role=HallRole.HALL_MANAGER).select_related("user").first()
        or HallAssignment.objects.filter(hall=hall).select_related("user").first()
    )
    return a.user if a else None


def _history(hall, owner, now) -> None:
    """Seven days of cleaning rounds (a few late, one missed) and of the daily check, done by the owner."""
    today = local_day(now)
    for back in range(7, 0, -1):
        day = today - timedelta(days=back)
        rounds_generate(hall=hall, day=day, now=now)
        for i, r in enumerate(CleaningRound.objects.filter(hall=hall, day=day, status=RoundStatus.DUE)):
            if back == 3 and r.kind == "patrol" and r.seq == 3:
                CleaningRound.objects.filter(pk=r.pk).update(status=RoundStatus.MISSED)
                continue
            late = (back + i) % 9 == 0  # a few late rounds across the week
            at = r.window_end + timedelta(minutes=25) if late else r.window_start + timedelta(minutes=20)
            CleaningRound.objects.filter(pk=r.pk).update(status=RoundStatus.DONE, done_at=at, done_by=owner)
    rounds_generate(hall=hall, day=today, now=now)
    for occ in Occurrence.objects.filter(hall=hall, status=OccurrenceStatus.OPEN, window_end__lt=now):
        answers = {
            i["key"]: ({"value": 18.0, "result": "pass"} if i["type"] == "number" else {"result": "pass"})
            for i in occ.checklist
        }
        done_at = occ.window_start + timedelta(hours=1)
        Occurrence.objects.filter(pk=occ.pk).update(
            status=OccurrenceStatus.DONE,
            completed_at=done_at,
            completed_by=owner,
            answers=answers,
            passed=True,
        )
        clock_meet(subject=occ, target=Target.FACILITY_CHECK, at=done_at, actor=owner)


def load(ctx: dict) -> None:
    now = timezone.now()
    made = now - timedelta(days=8)
    for index, hall in enumerate(ctx["halls"]):
        if Facility.objects.filter(hall=hall).exists():
            continue
        owner = _owner(hall)
        if owner is None:
            continue
        zones = {z.kind: z for z in hall.zones.all()}
        tokens = {t.kind: t for t in ApiToken.objects.filter(hall=hall, revoked_at__isnull=True)}
        for suffix, kind, label, zone_kind, location in FACILITIES:
            token = None
            if kind == FacilityKind.QUEUE_KIOSK:
                token = tokens.get(TokenKind.KIOSK)
            elif kind == FacilityKind.CALLING_DISPLAY:
                token = tokens.get(TokenKind.DISPLAY)
            if token is not None and Facility.objects.filter(api_token=token).exists():
                token = None
            f = Facility.objects.create(
                hall=hall,
                zone=zones.get(zone_kind),
                kind=kind,
                asset_code=f"{hall.code}-{suffix}",
                label=label,
                location=location,
                responsible=owner,
                api_token=token,
                created_at=made,
            )
            StatusChange.objects.create(
                hall=hall, facility=f, to_status=f.status, at=made, actor=owner, reason="登记"
            )
        for title, rule, hour, kind, checklist in PLANS:
            start = datetime.combine(local_day(made), datetime.min.time(), tzinfo=SHANGHAI).replace(hour=hour)
            MaintenancePlan.objects.create(
                hall=hall,
                title=title,
                kind=kind,
                rrule=rule,
                dtstart=start,
                checklist=_clean_checklist(checklist),
                created_by=owner,
                updated_at=made,
            )
        maintenance_sweep(now=now)
        _history(hall, owner, now)
        if index == 0:
            printer = Facility.objects.get(hall=hall, asset_code=f"{hall.code}-PR1")
            reporter = (
                HallAssignment.objects.filter(hall=hall, role=HallRole.CLERK).select_related("user").first()
            )
            fault_report(
                facility=printer,
                reported_by=reporter.user if reporter else owner,
                description="卡纸，无法打印",
            )
    if not ctx.get("quiet") and ctx.get("stdout"):
        ctx["stdout"].write("facilities: demo facilities, plans, a week of history and one open fault")
