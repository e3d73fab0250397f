"""The SLA policies in one place: the targets, what each means (the standard parameter that sets its hours, whether
it may pause, whether it repeats), the warning share and the escalation ladder. Models and services read them here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    COMPLAINT_FIRST_CONTACT = "complaint_first_contact", _("投诉首次联系（2小时）")
    COMPLAINT_GENERAL_SOLUTION = "complaint_general_solution", _("一般投诉解决（24小时）")
    COMPLAINT_COMPLEX_PROGRESS = "complaint_complex_progress", _("复杂投诉进度反馈（72小时，周期）")
    CONSULTATION_CALLBACK = "consultation_callback", _("现场咨询回复（24小时）")
    CONSULTATION_ONLINE_FIRST_RESPONSE = "consultation_online_first_response", _("线上咨询首次响应（1小时）")
    CONSULTATION_ONLINE_COMPLEX_SOLUTION = (
        "consultation_online_complex_solution",
        _("线上复杂问题解决（48小时）"),
    )
    FACILITY_CHECK = "facility_check", _("设施维护检查（检查窗口内完成）")
    FACILITY_FAULT_RESPONSE = "facility_fault_response", _("设备故障响应")
    FACILITY_FAULT_REPAIR = "facility_fault_repair", _("设备故障修复")
    SELF_INSPECTION_WEEKLY = "self_inspection_weekly", _("每周服务自查（7天）")
    RECTIFICATION = "rectification", _("整改项完成（默认3天）")
    KPI_PLAN_ITEM = "kpi_plan_item", _("服务改进计划事项完成")
    EVALUATION_FOLLOW_UP = "evaluation_follow_up", _("差评回访（24小时）")


@dataclass(frozen=True)
class TargetPolicy:
    hours_param: str
    clause: str
    # Promises made to the customer (complaint contact/solution/progress, the callback promise) never pause.
    pausable: bool = False
    # Periodic targets start their next cycle when met (complex complaint progress reports).
    repeat_param: str | None = None


POLICIES: dict[str, TargetPolicy] = {
    Target.COMPLAINT_FIRST_CONTACT: TargetPolicy("complaint.first_contact_hours", "CMP-2.1"),
    Target.COMPLAINT_GENERAL_SOLUTION: TargetPolicy("complaint.general_solution_hours", "CMP-2.1"),
    Target.COMPLAINT_COMPLEX_PROGRESS: TargetPolicy(
        "complaint.complex_progress_hours", "CMP-2.1", repeat_param="complaint.complex_progress_repeat_hours"
    ),
    Target.CONSULTATION_CALLBACK: TargetPolicy("consultation.callback_hours", "BIZ-2.1"),
    Target.CONSULTATION_ONLINE_FIRST_RESPONSE: TargetPolicy(
        "consultation.online_first_response_hours", "BIZ-2.1"
    ),
    # Solving a complex online question may wait on the customer (a missing screenshot, a bill): that wait pauses.
    Target.CONSULTATION_ONLINE_COMPLEX_SOLUTION: TargetPolicy(
        "consultation.online_complex_hours", "BIZ-2.1", pausable=True
    ),
    Target.FACILITY_CHECK: TargetPolicy("facility.check_window_hours", "ENV-2.1"),
    Target.FACILITY_FAULT_RESPONSE: TargetPolicy("facility.fault_response_hours", "ENV-2.2"),
    Target.FACILITY_FAULT_REPAIR: TargetPolicy("facility.fault_repair_hours", "ENV-2.2"),
    # These two parameters are in DAYS: the inspections app starts their clocks through
    # inspections.clocks.clock_start_until, which sets the deadline (week end / the item's deadline) itself.
    Target.SELF_INSPECTION_WEEKLY: TargetPolicy("inspection.self_check_days", "SUP-1.1"),
    Target.RECTIFICATION: TargetPolicy("rectification.default_days", "SUP-1.1"),
    Target.KPI_PLAN_ITEM: TargetPolicy("kpi.plan_item_hours", "SUP-3"),
    Target.EVALUATION_FOLLOW_UP: TargetPolicy("evaluation.follow_up_hours", "SUP-1.2"),
}

# The escalation ladder: level 1 the duty supervisor on duty, 2 the hall manager, 3 the regional quality inspector.
LADDER_LEVELS = 3
# Who each rung notifies (named in the notice); sla.escalation finds the people.
ROLE_LABELS = {1: "值班主管", 2: "厅经理", 3: "区域质检员"}
DEFAULT_WARN_SHARE = 0.75
# Rung n+1 follows rung n after this share of the target (clamped), e.g. 1 h for a 2 h target, 24 h for 72 h.
DEFAULT_ESCALATION_STEP_SHARE = 0.5
MIN_ESCALATION_STEP_SECONDS = 15 * 60
MAX_ESCALATION_STEP_SECONDS = 24 * 3600
