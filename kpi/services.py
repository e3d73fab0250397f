"""KPI workflows (SUP-2, SUP-3): the three-month rule and its decisions, the analysis meeting and the improvement
plan. Keyword-only ``<noun>_<verb>`` functions in ``transaction.atomic``; pages, API and CLI call these."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import Hall
from kpi.definitions import JUDGED, counts_as_below, kpi_or_error
from kpi.models import (
    Decision,
    Flag,
    FlagStatus,
    Meeting,
    MonthRun,
    PlanItem,
    PlanStatus,
    Subject,
)
from kpi.selectors import Scope, clerk_figures, hall_figures, standard_for_month
from lib.errors import Conflict, NotFound, ServiceError
from lib.months import add_months
from sla.models import Target
from sla.services import clock_meet, clock_start
from staff.access import require
from training.services import retraining_assign


def _run_of(figs_by_month: list[dict], code: str) -> bool:
    return all(counts_as_below(m[code]) for m in figs_by_month)


def kpi_flag_month(*, month: date, now: datetime | None = None) -> int:
    """On the 1st (for the month just closed): flag every clerk — and every hall, to its region — whose KPI counted
    as below target in each of the last ``kpi.consecutive_months`` months (``counts_as_below``). Once per month."""
    now = now or timezone.now()
    if MonthRun.objects.filter(month=month).exists():
        return 0
    months_needed = int(standard_for_month(month, now)["kpi.consecutive_months"])
    months = [add_months(month, -i) for i in range(months_needed - 1, -1, -1)]
    chain = Scope("chain", hall_ids=None)
    clerks: dict[tuple, list] = {}
    halls: dict[int, list] = {}
    for m in months:
        seen_clerks = {(r["clerk_id"], r["hall"].pk): r["figures"] for r in clerk_figures(chain, m, now=now)}
        seen_halls = {r["hall"].pk: r["figures"] for r in hall_figures(chain, m, now=now)}
        for key, figs in seen_clerks.items():
            clerks.setdefault(key, [None] * len(months))[months.index(m)] = figs
        for key, figs in seen_halls.items():
            halls.setdefault(key, [None] * len(months))[months.index(m)] = figs
    created = 0
    hall_objs = {h.pk: h for h in Hall.objects.all()}
    with transaction.atomic():
        for subject, table in ((Subject.CLERK, clerks), (Subject.HALL, halls)):
            for key, per_month in table.items():
                if any(f is None for f in per_month):
                    continue
                clerk_id, hall_id = key if subject == Subject.CLERK else (None, key)
                for code in JUDGED:
                    if not _run_of(per_month, code):
                        continue
                    _flag, made = Flag.objects.get_or_create(
                        subject=subject,
                        hall_id=hall_id,
                        clerk_id=clerk_id,
                        kpi=code,
                        month=month,
                        defaults={
                            "region_id": hall_objs[hall_id].region_id,
                            "flagged_at": now,
                            "months": [
                                {"month": f"{m:%Y-%m}", **per_month[i][code].as_dict()}
                                for i, m in enumerate(months)
                            ],
                        },
                    )
                    created += made
        MonthRun.objects.create(month=month, ran_at=now, flags=created)
    return created


def flag_decide(*, flag: Flag, actor, decision: str, reason: str, due: date | None = None) -> Flag:
    """The hall manager decides for a clerk (retraining or reassignment), the region for a hall, with a reason."""
    capability = "kpi.decide" if flag.subject == Subject.CLERK else "kpi.decide_hall"
    require(actor, capability, flag.hall_id)
    allowed = (
        {Decision.RETRAINING, Decision.REASSIGNMENT}
        if flag.subject == Subject.CLERK
        else {Decision.REGION_REVIEW}
    )
    if decision not in allowed:
        raise ServiceError("invalid_decision", _("处理决定不正确"), field="decision")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写决定理由"), field="reason")
    with transaction.atomic():
        now = timezone.now()
        retraining = None
        if decision == Decision.RETRAINING:
            retraining = retraining_assign(
                clerk=flag.clerk, hall=flag.hall, reason=reason, assigned_by=actor, due=due
            )
        updated = Flag.objects.filter(pk=flag.pk, status=FlagStatus.OPEN).update(
            status=FlagStatus.DECIDED,
            decision=decision,
            reason=reason,
            decided_by=actor,
            decided_at=now,
            retraining=retraining,
        )
        if updated != 1:
            raise Conflict("already_decided", _("该记录已作出决定"))
    flag.refresh_from_db()
    return flag


def flag_follow_up(*, flag: Flag, actor, note: str, close: bool = False) -> Flag:
    capability = "kpi.decide" if flag.subject == Subject.CLERK else "kpi.decide_hall"
    require(actor, capability, flag.hall_id)
    note = (note or "").strip()
    if not note:
        raise ServiceError("note_required", _("请填写跟进情况"), field="note")
    if flag.status == FlagStatus.OPEN:
        raise ServiceError("not_decided", _("请先作出处理决定"), status=409)
    with transaction.atomic():
        stamp = f"{timezone.localtime():%Y-%m-%d} {note}"
        flag.follow_up = f"{flag.follow_up}\n{stamp}".strip()
        flag.status = FlagStatus.CLOSED if close else flag.status
        flag.save(update_fields=["follow_up", "status"])
    return flag


# --- SUP-3: the service analysis meeting and the improvement plan ------------------------------------------------
def meeting_record(
    *,
    hall: Hall,
    actor,
    month: date,
    held_on: date,
    attendees: str,
    highlights: str = "",
    problems: str = "",
    decisions: str = "",
) -> Meeting:
    require(actor, "kpi.meeting", hall)
    if not (attendees or "").strip():
        raise ServiceError("attendees_required", _("请填写参会人员"), field="attendees")
    if held_on < month:
        raise ServiceError("invalid_date", _("会议日期不能早于分析月份"), field="held_on")
    with transaction.atomic():
        return Meeting.objects.create(
            hall=hall,
            month=month,
            held_on=held_on,
            attendees=attendees.strip(),
            highlights=highlights,
            problems=problems,
            decisions=decisions,
            recorded_by=actor,
        )


def plan_item_add(*, meeting: Meeting, actor, what: str, why: str, owner, kpi: str) -> PlanItem:
    require(actor, "kpi.meeting", meeting.hall_id)
    kpi_or_error(kpi)
    if not (what or "").strip():
        raise ServiceError("what_required", _("请填写改进事项"), field="what")
    from staff.access import user_can

    if (
        owner is None
        or not user_can(owner, "queue.serve", meeting.hall_id)
        and not user_can(owner, "kpi.view", meeting.hall_id)
    ):
        raise ServiceError("invalid_owner", _("责任人须为本厅员工"), field="owner")
    with transaction.atomic():
        item = PlanItem.objects.create(
            meeting=meeting,
            hall_id=meeting.hall_id,
            what=what.strip(),
            why=why or "",
            owner=owner,
            kpi=kpi,
            deadline=timezone.now(),
        )
        clock = clock_start(subject=item, target=Target.KPI_PLAN_ITEM, hall=meeting.hall, actor=actor)
        PlanItem.objects.filter(pk=item.pk).update(deadline=clock.deadline)
        item.deadline = clock.deadline
    return item


def plan_item_update(*, item: PlanItem, actor, status: str, evidence: str = "") -> PlanItem:
    require(actor, "kpi.meeting", item.hall_id)
    if status not in PlanStatus.values:
        raise ServiceError("invalid_status", _("状态不正确"), field="status")
    if status == PlanStatus.DONE and not (evidence or item.evidence).strip():
        raise ServiceError("evidence_required", _("完成须附证据说明"), field="evidence")
    with transaction.atomic():
        now = timezone.now()
        fields = {"status": status}
        if evidence:
            fields["evidence"] = evidence
        if status == PlanStatus.DONE:
            fields["done_at"] = now
        updated = PlanItem.objects.filter(pk=item.pk).exclude(status=PlanStatus.DONE).update(**fields)
        if updated != 1:
            raise Conflict("already_done", _("该事项已完成"))
        if status == PlanStatus.DONE:
            clock_meet(subject=item, target=Target.KPI_PLAN_ITEM, at=now, actor=actor)
    item.refresh_from_db()
    return item


def flag_get(user, pk: int) -> Flag:
    flag = Flag.objects.for_user(user, "kpi.view").filter(pk=pk).select_related("hall", "clerk").first()
    if flag is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return flag
