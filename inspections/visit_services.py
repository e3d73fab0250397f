"""Mystery-shopper visits (SUP-1.3): plan, report, review; external shopper accounts.

Minimum content of a report comes from settings (``TINGWU_VISIT_MIN_FINDINGS_CHARS``, default 80;
``TINGWU_VISIT_MIN_PHOTOS``, default 4). Accepting a report makes it visible to the hall, turns its failed items
into rectification items and credits conduct findings to the clerk matched from the ticket number.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.files import check_file
from inspections.models import (
    ConductFinding,
    FindingSource,
    Item,
    RectificationSource,
    ShopperAccount,
    Visit,
    VisitMedia,
    VisitStatus,
)
from inspections.scoring import score_run
from inspections.services import local_day, rectification_default_deadline, rectification_open
from lib.errors import Conflict, Forbidden, ServiceError
from staff.access import require
from staff.models import HallAssignment, HallRole

MAX_MEDIA = 20


def min_findings_chars() -> int:
    return int(getattr(settings, "TINGWU_VISIT_MIN_FINDINGS_CHARS", 80))


def min_photos() -> int:
    return int(getattr(settings, "TINGWU_VISIT_MIN_PHOTOS", 4))


def is_shopper(user) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and ShopperAccount.objects.filter(user=user, active=True).exists()
    )


@transaction.atomic
def shopper_create(*, region, username: str, password: str, actor) -> ShopperAccount:
    """An external shopper account: a login with no hall or region role, so it sees only its own visits."""
    if region is None:
        raise ServiceError("region_required", _("请选择区域"), field="region")
    _require_planner_in_region(actor, region)
    User = get_user_model()
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise ServiceError("username_required", _("请填写登录名"), field="username")
    if User.objects.filter(username=username).exists():
        raise ServiceError("username_taken", _("登录名已被使用"), field="username")
    user = User(username=username)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("weak_password", " ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    return ShopperAccount.objects.create(user=user, region=region, created_by=actor)


def _require_planner_in_region(actor, region) -> None:
    from halls.models import Hall

    hall = Hall.objects.filter(region_id__in=region.descendant_ids()).first()
    if hall is None:
        raise ServiceError("region_empty", _("该区域没有营业厅"), field="region")
    require(actor, "mystery.plan", hall)


def _items(codes: list[str]) -> list[dict]:
    if not codes:
        raise ServiceError("items_required", _("请至少选择一个评分项"), field="items")
    bank = {i.code: i for i in Item.objects.filter(code__in=codes, active=True)}
    if len(bank) != len(set(codes)) or len(set(codes)) != len(codes):
        raise ServiceError("unknown_item", _("检查项不存在或已停用"), field="items")
    return [bank[c].frozen() for c in codes]


def _check_shopper(shopper, hall) -> None:
    if shopper is None or not shopper.is_active:
        raise ServiceError("shopper_required", _("请选择暗访员"), field="shopper")
    if ShopperAccount.objects.filter(user=shopper, active=True).exists():
        return
    # Internal staff may shop another hall, never their own (the visit would not be unannounced).
    if HallAssignment.objects.filter(user=shopper, hall=hall).exists():
        raise ServiceError("shopper_own_hall", _("暗访员不能是本营业厅员工"), field="shopper")
    if not HallAssignment.objects.filter(user=shopper, role__in=HallRole.values).exists():
        raise ServiceError("shopper_required", _("请选择暗访员"), field="shopper")


@transaction.atomic
def visit_plan(
    *,
    hall,
    scenario: str,
    item_codes: list[str],
    window_start: date,
    window_end: date,
    shopper,
    actor,
    revisit_of: Visit | None = None,
) -> Visit:
    """SUP-1.3: a quality inspector plans an unannounced visit of a hall of their region."""
    require(actor, "mystery.plan", hall)
    scenario = (scenario or "").strip()
    if not scenario:
        raise ServiceError("scenario_required", _("请填写暗访场景"), field="scenario")
    if len(scenario) > 2000:
        raise ServiceError("scenario_too_long", _("暗访场景过长"), field="scenario")
    if window_start is None or window_end is None or window_end < window_start:
        raise ServiceError("window_invalid", _("暗访截止日不能早于起始日"), field="window_end")
    if window_end < local_day(timezone.now()):
        raise ServiceError("window_past", _("暗访时段已过"), field="window_end")
    _check_shopper(shopper, hall)
    if revisit_of is not None and (
        revisit_of.hall_id != hall.pk or revisit_of.status != VisitStatus.ACCEPTED
    ):
        raise ServiceError("revisit_invalid", _("只能对本厅已通过的暗访安排复访"), field="revisit_of")
    return Visit.objects.create(
        region_id=hall.region_id,
        hall=hall,
        scenario=scenario,
        items=_items(item_codes),
        window_start=window_start,
        window_end=window_end,
        shopper=shopper,
        planned_by=actor,
        revisit_of=revisit_of,
    )


def _when(value, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ServiceError("invalid_datetime", _("时间格式不正确"), field=field) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def visit_report_submit(
    *,
    visit: Visit,
    actor,
    arrived_at,
    left_at,
    answers: dict[str, dict],
    findings: str,
    suggestions: str = "",
    ticket_number: str = "",
    called_at=None,
    counter_label: str = "",
    clerk_observed: str = "",
    files=(),
) -> Visit:
    """The shopper's report: timeline, scored items, concrete cases and suggestions, photos/audio."""
    if visit.shopper_id != actor.pk:
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.RETURNED):
        raise Conflict("not_open", _("该暗访报告已提交"))
    arrived_at, left_at = _when(arrived_at, "arrived_at"), _when(left_at, "left_at")
    called_at = _when(called_at, "called_at")
    if arrived_at is None:
        raise ServiceError("arrived_required", _("请填写到达时间"), field="arrived_at")
    if left_at is None or left_at < arrived_at:
        raise ServiceError("left_invalid", _("离开时间不能早于到达时间"), field="left_at")
    if called_at is not None and not arrived_at <= called_at <= left_at:
        raise ServiceError("called_invalid", _("叫号时间须在到达与离开之间"), field="called_at")
    if not visit.window_start <= local_day(arrived_at) <= visit.window_end:
        raise ServiceError("outside_window", _("到达日期不在暗访时段内"), field="arrived_at")
    findings = (findings or "").strip()
    if len(findings) < min_findings_chars():
        raise ServiceError(
            "findings_too_short",
            _("具体情况至少%(n)d字") % {"n": min_findings_chars()},
            field="findings",
        )
    files = [f for f in (files or []) if f]
    if len(files) > MAX_MEDIA:
        raise ServiceError("too_many_files", _("附件过多"), field="files")
    checked = [check_file(f, field="files", audio=True) for f in files]
    photos = sum(1 for c in checked if c.kind == "photo") + visit.media.filter(kind="photo").count()
    if photos < min_photos():
        raise ServiceError("photos_required", _("至少需要%(n)d张照片") % {"n": min_photos()}, field="files")
    score = score_run(visit.items, answers)
    ticket_number = (ticket_number or "").strip().upper()[:8]
    updated = Visit.objects.filter(
        pk=visit.pk, status__in=[VisitStatus.PLANNED, VisitStatus.RETURNED]
    ).update(
        status=VisitStatus.SUBMITTED,
        arrived_at=arrived_at,
        ticket_number=ticket_number,
        called_at=called_at,
        counter_label=(counter_label or "")[:32],
        left_at=left_at,
        answers=[
            {
                "code": s.code,
                "result": s.result,
                "score": s.score,
                "max": s.maximum,
                "weight": s.weight,
                "note": ((answers.get(s.code) or {}).get("note") or "")[:500],
            }
            for s in score.items
        ],
        score_num=score.num,
        score_den=score.den,
        submitted_at=timezone.now(),
    )
    if updated != 1:  # pragma: no cover - guarded above
        raise Conflict("not_open", _("该暗访报告已提交"))
    visit.refresh_from_db()
    # Encrypted fields are saved through the model (the field encrypts on save).
    visit.clerk_observed = (clerk_observed or "")[:100]
    visit.findings = findings[:8000]
    visit.suggestions = (suggestions or "")[:4000]
    visit.save(update_fields=["clerk_observed", "findings", "suggestions"])
    for c in checked:
        media = VisitMedia(
            visit=visit,
            hall_id=visit.hall_id,
            kind=c.kind,
            content_type=c.content_type,
            size=c.size,
            sha256=c.sha256,
        )
        media.file.save(c.storage_name, c.upload, save=False)
        media.save()
    return visit


def match_clerk(visit: Visit):
    """The clerk who handled the shopper's ticket (hall, day of the visit, number), if the ticket is known."""
    if not visit.ticket_number or visit.arrived_at is None:
        return None
    from queueing.models import Ticket

    ticket = (
        Ticket.objects.filter(
            hall=visit.hall, service_date=local_day(visit.arrived_at), number=visit.ticket_number
        )
        .select_related("clerk")
        .first()
    )
    return ticket.clerk if ticket is not None else None


@transaction.atomic
def visit_review(*, visit: Visit, actor, accept: bool, reason: str = "", owner=None, at=None) -> Visit:
    """The inspector accepts (the hall sees it; failed items become rectification items; conduct findings go
    to the matched clerk) or returns the report to the shopper with a reason."""
    require(actor, "mystery.plan", visit.hall)
    at = at or timezone.now()
    if not accept:
        if not (reason or "").strip():
            raise ServiceError("reason_required", _("退回须说明原因"), field="reason")
        updated = Visit.objects.filter(pk=visit.pk, status=VisitStatus.SUBMITTED).update(
            status=VisitStatus.RETURNED, return_reason=reason.strip()[:500], reviewed_by=actor, reviewed_at=at
        )
        if updated != 1:
            raise Conflict("not_submitted", _("该暗访报告未处于待审核状态"))
        visit.refresh_from_db()
        return visit
    owner = owner or _hall_manager(visit.hall)
    if owner is None:
        raise ServiceError("owner_required", _("请指定整改责任人"), field="owner")
    clerk = match_clerk(visit)
    updated = Visit.objects.filter(pk=visit.pk, status=VisitStatus.SUBMITTED).update(
        status=VisitStatus.ACCEPTED, reviewed_by=actor, reviewed_at=at, matched_clerk=clerk
    )
    if updated != 1:
        raise Conflict("not_submitted", _("该暗访报告未处于待审核状态"))
    visit.refresh_from_db()
    texts = {i["code"]: i["text"] for i in visit.items}
    deadline = rectification_default_deadline(at)
    for answer in visit.answers:
        if answer["result"] != "fail":
            continue
        rectification_open(
            hall=visit.hall,
            source=RectificationSource.MYSTERY_VISIT,
            title=texts.get(answer["code"], ""),
            item_code=answer["code"],
            owner=owner,
            deadline=deadline,
            at=at,
            visit=visit,
        )
        if clerk is not None:
            ConductFinding.objects.create(
                hall=visit.hall,
                clerk=clerk,
                source=FindingSource.MYSTERY_VISIT,
                item=answer["code"],
                item_text=texts.get(answer["code"], "")[:200],
                at=visit.arrived_at or at,
                visit=visit,
            )
    return visit


def _hall_manager(hall):
    found = HallAssignment.objects.filter(hall=hall, role=HallRole.HALL_MANAGER, user__is_active=True).first()
    return found.user if found else None


@transaction.atomic
def visit_cancel(*, visit: Visit, actor) -> Visit:
    require(actor, "mystery.plan", visit.hall)
    updated = Visit.objects.filter(
        pk=visit.pk, status__in=[VisitStatus.PLANNED, VisitStatus.RETURNED]
    ).update(status=VisitStatus.CANCELLED)
    if updated != 1:
        raise Conflict("not_open", _("只能取消尚未提交报告的暗访"))
    visit.refresh_from_db()
    return visit


def visits_visible(user):
    """Visits the user may read as staff (unannounced rule in ``VisitQuerySet.for_user``)."""
    return Visit.objects.for_user(user).select_related("hall", "shopper")


__all__ = [
    "is_shopper",
    "match_clerk",
    "shopper_create",
    "visit_cancel",
    "visit_plan",
    "visit_report_submit",
    "visit_review",
    "visits_visible",
]
