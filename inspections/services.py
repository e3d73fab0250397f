"""Self-inspection (SUP-1.1), rectification items and the pre-shift appearance check (STF-1, STF-2).

Services are keyword-only and atomic; pages, API and CLI call them. Status changes go through conditional UPDATEs.
Mystery-shopper visits are in ``inspections.visit_services``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, FacilityStatus, FaultSource
from facilities.services import fault_report
from halls.models import Hall
from inspections.clocks import clock_start_until
from inspections.files import check_file, save_to
from inspections.models import (
    Answer,
    AppearanceCheck,
    ConductFinding,
    FindingSource,
    Inspection,
    InspectionTemplate,
    Item,
    ObligationStatus,
    Outcome,
    Rectification,
    RectificationSource,
    RectificationStatus,
    RunStatus,
    TemplateKind,
    TemplateVersion,
    WeeklyObligation,
)
from inspections.scoring import score_run
from lib.errors import Conflict, NotFound, ServiceError
from sla.models import Target
from sla.services import clock_meet
from staff.access import require
from staff.models import HallAssignment, HallRole
from standard.services import standard_in_force

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A finding is a repeat when the same item failed in this hall within this many earlier weeks.
REPEAT_LOOKBACK_WEEKS = 4


def local_day(at: datetime) -> date:
    return timezone.localtime(at, SHANGHAI).date()


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


# --- Templates ------------------------------------------------------------------------------------------------
@transaction.atomic
def template_publish(*, template: InspectionTemplate, item_codes: list[str], actor=None) -> TemplateVersion:
    """Publish a new version with frozen copies of the bank items (past runs keep the copy they used)."""
    if actor is not None:
        _require_template_right(actor)
    if not item_codes:
        raise ServiceError("items_required", _("模板至少需要一个检查项"), field="items")
    bank = {i.code: i for i in Item.objects.filter(code__in=item_codes, active=True)}
    missing = [c for c in item_codes if c not in bank]
    if missing:
        raise ServiceError("unknown_item", _("检查项不存在或已停用"), field="items")
    if len(set(item_codes)) != len(item_codes):
        raise ServiceError("duplicate_item", _("检查项重复"), field="items")
    InspectionTemplate.objects.select_for_update().filter(pk=template.pk).first()
    last = template.versions.order_by("-number").first()
    return TemplateVersion.objects.create(
        template=template,
        number=(last.number + 1) if last else 1,
        items=[bank[c].frozen() for c in item_codes],
        published_by=actor,
    )


def template_in_use(*, kind: str, hall: Hall) -> TemplateVersion:
    """The current version of the template of the hall's nearest region; a region-less template applies elsewhere."""
    region_ids = []
    region = hall.region
    while region is not None:
        region_ids.append(region.pk)
        region = region.parent
    versions = TemplateVersion.objects.filter(template__kind=kind).select_related("template")
    for region_id in [*region_ids, None]:
        qs = (
            versions.filter(template__region_id=region_id)
            if region_id
            else versions.filter(template__region=None)
        )
        found = qs.order_by("template__name", "-number").first()
        if found is not None:
            return found.template.current()
    raise NotFound("no_template", _("尚未发布检查模板"))


# --- Self-inspection --------------------------------------------------------------------------------------------
@transaction.atomic
def inspection_start(*, hall: Hall, actor, at: datetime | None = None) -> Inspection:
    """Open this week's self-inspection draft (an open draft of the same week is returned as is)."""
    require(actor, "inspection.conduct", hall)
    at = at or timezone.now()
    week = week_start_of(local_day(at))
    draft = Inspection.objects.filter(hall=hall, week_start=week, status=RunStatus.DRAFT).first()
    if draft is not None:
        return draft
    version = template_in_use(kind=TemplateKind.SELF_INSPECTION, hall=hall)
    return Inspection.objects.create(
        hall=hall,
        region_id=hall.region_id,
        week_start=week,
        template_version=version,
        snapshot=version.items,
        inspector=actor,
        started_at=at,
    )


def _hall_staff(hall: Hall, user_id, *, field: str):
    if user_id in (None, ""):
        return None
    assignment = (
        HallAssignment.objects.filter(hall=hall, user_id=user_id, user__is_active=True)
        .select_related("user")
        .first()
    )
    if assignment is None:
        raise ServiceError("not_hall_staff", _("所选员工不属于本营业厅"), field=field)
    return assignment.user


def _hall_facility(hall: Hall, facility_id, *, field: str) -> Facility | None:
    if facility_id in (None, ""):
        return None
    try:
        pk = int(facility_id)
    except (TypeError, ValueError):
        pk = 0
    found = (
        Facility.objects.filter(hall=hall, pk=pk).exclude(status=FacilityStatus.RETIRED).first()
        if pk > 0
        else None
    )
    if found is None:
        raise ServiceError("not_hall_facility", _("所选设施不属于本营业厅"), field=field)
    return found


def _repeat_codes(hall: Hall, week: date) -> set[str]:
    since = week - timedelta(weeks=REPEAT_LOOKBACK_WEEKS)
    return set(
        Answer.objects.filter(
            hall=hall,
            result="fail",
            inspection__status=RunStatus.SUBMITTED,
            inspection__week_start__gte=since,
            inspection__week_start__lt=week,
        ).values_list("item_code", flat=True)
    )


def rectification_default_deadline(at: datetime) -> datetime:
    days = standard_in_force(at=at).get("rectification.default_days") or 3
    return at + timedelta(days=float(days))


@transaction.atomic
def inspection_submit(*, inspection: Inspection, answers: dict[str, dict], actor, at: datetime | None = None):
    """Score and submit a draft. ``answers[code]``: result/score/number, note, clerk (user id), facility_id (a registered
    facility of the hall) or facility (a name),
    photo (upload), owner (user id), deadline (date). Every failed item becomes a rectification item; a cited
    clerk gets a conduct finding; a finding that failed in the last weeks is marked as a repeat."""
    require(actor, "inspection.conduct", inspection.hall)
    at = at or timezone.now()
    hall = inspection.hall
    score = score_run(inspection.snapshot, answers)
    by_code = {i["code"]: i for i in inspection.snapshot}
    repeats = _repeat_codes(hall, inspection.week_start)
    checked, people, owners, deadlines, facilities = {}, {}, {}, {}, {}
    for scored in score.items:  # validate everything before writing anything
        raw = answers.get(scored.code) or {}
        item = by_code[scored.code]
        photo = raw.get("photo")
        if photo:
            checked[scored.code] = check_file(photo, field=scored.code)
        elif scored.result == "fail" and item.get("photo_on_fail"):
            raise ServiceError("photo_required", _("不合格项须拍照留证"), field=scored.code)
        people[scored.code] = _hall_staff(hall, raw.get("clerk"), field=scored.code)
        facilities[scored.code] = _hall_facility(hall, raw.get("facility_id"), field=scored.code)
        if scored.result == "fail":
            owners[scored.code] = _hall_staff(hall, raw.get("owner"), field=scored.code) or actor
            deadlines[scored.code] = _deadline(raw.get("deadline"), at, field=scored.code)
    updated = Inspection.objects.filter(pk=inspection.pk, status=RunStatus.DRAFT).update(
        status=RunStatus.SUBMITTED,
        submitted_at=at,
        score_num=score.num,
        score_den=score.den,
        failed_critical=score.failed_critical,
        outcome=Outcome.FAILED if score.failed_critical else Outcome.PASSED,
        section_scores=score.sections,
    )
    if updated != 1:
        raise Conflict("already_submitted", _("该自查已提交"))
    for scored in score.items:
        raw = answers.get(scored.code) or {}
        item = by_code[scored.code]
        answer = Answer(
            inspection=inspection,
            hall=hall,
            item_code=scored.code,
            result=scored.result,
            score=scored.score,
            number=raw.get("number") if item["response_type"] == "number" else None,
            note=(raw.get("note") or "")[:2000],
            cited_clerk=people[scored.code],
            facility=facilities[scored.code],
            facility_name=(
                facilities[scored.code].label if facilities[scored.code] else raw.get("facility") or ""
            )[:100],
            repeat=scored.result == "fail" and scored.code in repeats,
        )
        if scored.code in checked:
            save_to(answer.photo, checked[scored.code])
            answer.photo_type = checked[scored.code].content_type
        answer.save()
        if scored.result != "fail":
            continue
        if answer.facility is not None:  # SUP-1.1 → ENV-2.2: the failed facility gets a fault of its own
            answer.fault = fault_report(
                facility=answer.facility,
                reported_by=actor,
                description=str(_("服务自查不合格：%(item)s") % {"item": item["text"]})[:500],
                source=FaultSource.SELF_INSPECTION,
            )
            answer.save(update_fields=["fault"])
        if answer.cited_clerk is not None:
            ConductFinding.objects.create(
                hall=hall,
                clerk=answer.cited_clerk,
                source=FindingSource.SELF_INSPECTION,
                item=scored.code,
                item_text=item["text"][:200],
                at=at,
                inspection=inspection,
            )
        rectification_open(
            hall=hall,
            source=RectificationSource.SELF_INSPECTION,
            title=item["text"],
            item_code=scored.code,
            owner=owners[scored.code],
            deadline=deadlines[scored.code],
            inspection=inspection,
            repeat=answer.repeat,
            at=at,
        )
    _obligation_done(inspection, at)
    inspection.refresh_from_db()
    return inspection


def _deadline(value, at: datetime, *, field: str) -> datetime:
    if value in (None, ""):
        return rectification_default_deadline(at)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ServiceError("invalid_date", _("日期格式不正确"), field=field) from None
    deadline = local_midnight(value) + timedelta(days=1)  # the end of the chosen day
    if deadline <= at:
        raise ServiceError("deadline_past", _("整改期限不能早于今天"), field=field)
    return deadline


def _obligation_done(inspection: Inspection, at: datetime) -> None:
    obligation = obligation_ensure(hall=inspection.hall, week_start=inspection.week_start)
    done = WeeklyObligation.objects.filter(
        pk=obligation.pk, status__in=[ObligationStatus.OPEN, ObligationStatus.MISSED]
    ).update(status=ObligationStatus.DONE, inspection=inspection)
    if done:
        clock_meet(subject=obligation, target=Target.SELF_INSPECTION_WEEKLY, at=at)


# --- Rectification items ------------------------------------------------------------------------------------------
def rectification_open(
    *, hall, source, title, item_code, owner, deadline, at, inspection=None, visit=None, repeat=False
) -> Rectification:
    rect = Rectification.objects.create(
        hall=hall,
        region_id=hall.region_id,
        source=source,
        inspection=inspection,
        visit=visit,
        item_code=item_code,
        title=title[:200],
        owner=owner,
        deadline=deadline,
        repeat=repeat,
        created_at=at,
    )
    clock_start_until(subject=rect, target=Target.RECTIFICATION, hall=hall, started_at=at, deadline=deadline)
    return rect


@transaction.atomic
def rectification_complete(
    *, rectification: Rectification, actor, photo, note: str = "", at=None
) -> Rectification:
    """The owner (or a supervisor) records the fix with an evidence photo; the manager verifies it next."""
    at = at or timezone.now()
    if actor.pk != rectification.owner_id:
        require(actor, "rectification.verify", rectification.hall)
    if not photo:
        raise ServiceError("photo_required", _("请上传整改后的照片"), field="photo")
    checked = check_file(photo, field="photo")
    rect = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rect.status != RectificationStatus.OPEN:
        raise Conflict("not_open", _("该整改项不在整改中"))
    save_to(rect.evidence, checked)
    updated = Rectification.objects.filter(pk=rect.pk, status=RectificationStatus.OPEN).update(
        status=RectificationStatus.COMPLETED,
        evidence=rect.evidence.name,
        evidence_type=checked.content_type,
        completion_note=note[:2000],
        completed_at=at,
        completed_by=actor,
    )
    if updated != 1:  # pragma: no cover - the row lock makes this unreachable
        raise Conflict("not_open", _("该整改项不在整改中"))
    clock_meet(subject=rect, target=Target.RECTIFICATION, at=at, actor=actor)
    rect.refresh_from_db()
    return rect


@transaction.atomic
def rectification_verify(*, rectification: Rectification, actor, accept: bool, reason: str = "", at=None):
    """The manager accepts the fix, or returns it (with a reason) to the owner with a fresh clock."""
    require(actor, "rectification.verify", rectification.hall)
    at = at or timezone.now()
    if not accept and not reason.strip():
        raise ServiceError("reason_required", _("退回须说明原因"), field="reason")
    if accept:
        updated = Rectification.objects.filter(
            pk=rectification.pk, status=RectificationStatus.COMPLETED
        ).update(status=RectificationStatus.VERIFIED, verified_at=at, verified_by=actor)
    else:
        deadline = max(rectification.deadline, rectification_default_deadline(at))
        updated = Rectification.objects.filter(
            pk=rectification.pk, status=RectificationStatus.COMPLETED
        ).update(
            status=RectificationStatus.OPEN,
            deadline=deadline,
            returned_count=rectification.returned_count + 1,
            completion_note=f"{rectification.completion_note}\n[退回] {reason.strip()[:500]}".strip(),
        )
    if updated != 1:
        raise Conflict("not_completed", _("该整改项尚未提交完成"))
    rectification.refresh_from_db()
    if not accept:
        clock_start_until(
            subject=rectification,
            target=Target.RECTIFICATION,
            hall=rectification.hall,
            started_at=at,
            deadline=rectification.deadline,
            actor=actor,
        )
    return rectification


# --- Weekly obligation and the sweep ------------------------------------------------------------------------------
def obligation_ensure(*, hall: Hall, week_start: date) -> WeeklyObligation:
    """The hall's obligation for that week, with its SLA clock (idempotent: unique per hall and week)."""
    existing = WeeklyObligation.objects.filter(hall=hall, week_start=week_start).first()
    if existing is not None:
        return existing
    start = local_midnight(week_start)
    days = standard_in_force(at=start).get("inspection.self_check_days") or 7
    due = start + timedelta(days=float(days))
    try:
        with transaction.atomic():
            obligation = WeeklyObligation.objects.create(hall=hall, week_start=week_start, due_at=due)
            clock_start_until(
                subject=obligation,
                target=Target.SELF_INSPECTION_WEEKLY,
                hall=hall,
                started_at=start,
                deadline=due,
            )
    except IntegrityError:  # another sweep created it at the same moment
        return WeeklyObligation.objects.get(hall=hall, week_start=week_start)
    return obligation


def inspection_sweep(*, now: datetime | None = None) -> dict:
    """One pass (run by ``manage.py worker``): every active hall owes this week's self-inspection (SUP-1.1); a week
    that ended without one is flagged as missed. Warnings, breaches and escalations come from the SLA sweep."""
    now = now or timezone.now()
    week = week_start_of(local_day(now))
    result = {"created": 0, "missed": 0}
    # One query for the halls already covered this week: the pass runs every minute, creation once a week.
    covered = set(WeeklyObligation.objects.filter(week_start=week).values_list("hall_id", flat=True))
    for hall in Hall.objects.filter(is_active=True).exclude(pk__in=covered):
        obligation_ensure(hall=hall, week_start=week)
        result["created"] += 1
    result["missed"] = WeeklyObligation.objects.filter(status=ObligationStatus.OPEN, due_at__lte=now).update(
        status=ObligationStatus.MISSED, flagged_at=now
    )
    return result


# --- Appearance check （班前会） ----------------------------------------------------------------------------------
def clerks_on_duty(hall: Hall):
    """The hall's clerks (role clerk, active accounts). DutyShift names the supervisor, not the clerks."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return (
        User.objects.filter(
            hall_assignments__hall=hall, hall_assignments__role=HallRole.CLERK, is_active=True
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def appearance_record(*, hall: Hall, actor, missed: dict[int, list[str]], clerk_ids: list[int], at=None):
    """Record today's pre-shift check for the given clerks; ``missed[clerk_id]`` lists the failed item codes. A
    clerk already checked today is skipped (first check wins). Each miss is a conduct finding for that clerk."""
    require(actor, "appearance.check", hall)
    at = at or timezone.now()
    day = local_day(at)
    if not clerk_ids:
        raise ServiceError("clerks_required", _("请至少选择一名员工"), field="clerks")
    version = template_in_use(kind=TemplateKind.APPEARANCE, hall=hall)
    codes = {i["code"]: i for i in version.items}
    roster = {u.pk: u for u in clerks_on_duty(hall)}
    for clerk_id in clerk_ids:
        if clerk_id not in roster:
            raise ServiceError("not_hall_staff", _("所选员工不属于本营业厅"), field="clerks")
        if set(missed.get(clerk_id, [])) - set(codes):
            raise ServiceError("unknown_item", _("存在不属于本模板的检查项"), field="items")
    done = []
    for clerk_id in clerk_ids:
        misses = sorted(set(missed.get(clerk_id, [])))
        try:
            with transaction.atomic():
                check = AppearanceCheck.objects.create(
                    hall=hall,
                    day=day,
                    clerk=roster[clerk_id],
                    checked_by=actor,
                    at=at,
                    template_version=version,
                    snapshot=version.items,
                    missed=misses,
                    item_count=len(codes),
                    passed_count=len(codes) - len(misses),
                )
        except IntegrityError:
            continue
        for code in misses:
            ConductFinding.objects.create(
                hall=hall,
                clerk=roster[clerk_id],
                source=FindingSource.APPEARANCE_CHECK,
                item=code,
                item_text=codes[code]["text"][:200],
                at=at,
                appearance=check,
            )
        done.append(check)
    return done


@transaction.atomic
def item_create(
    *,
    actor,
    code: str,
    section: str,
    text: str,
    response_type: str = "pass_fail",
    max_score: int = 1,
    weight: int = 1,
    clause: str = "",
    na_allowed: bool = False,
    critical: bool = False,
    photo_on_fail: bool = False,
    limit_max: float | None = None,
) -> Item:
    """Add an entry to the item bank (it reaches a template only when a new version is published)."""
    from inspections.models import ResponseType, Section

    _require_template_right(actor)
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        raise ServiceError("code_required", _("请填写编码"), field="code")
    if Item.objects.filter(code=code).exists():
        raise ServiceError("code_taken", _("编码已存在"), field="code")
    if section not in Section.values:
        raise ServiceError("section_invalid", _("未知的分区"), field="section")
    if response_type not in ResponseType.values:
        raise ServiceError("response_type_invalid", _("未知的答题方式"), field="response_type")
    text = (text or "").strip()
    if not text or len(text) > 200:
        raise ServiceError("text_required", _("请填写检查内容"), field="text")
    if not 1 <= int(max_score) <= 100 or not 1 <= int(weight) <= 100:
        raise ServiceError("score_out_of_range", _("满分和权重须在1到100之间"), field="weight")
    return Item.objects.create(
        code=code,
        section=section,
        text=text,
        clause=(clause or "")[:16],
        response_type=response_type,
        max_score=int(max_score),
        weight=int(weight),
        na_allowed=na_allowed,
        critical=critical,
        photo_on_fail=photo_on_fail,
        limit_max=limit_max,
    )


def _require_template_right(actor) -> None:
    from staff.access import user_can

    if not user_can(actor, "inspection.template"):
        from lib.errors import Forbidden

        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
