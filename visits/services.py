"""Home-visit workflow (BIZ-1.2, BIZ-4). Pages and API call these functions only.

requested → confirmed (content and time agreed with the customer in advance) → authorised (who authorised, how,
when) → assigned (a clerk of the hall) → done (result); cancelled from any open status. Each step is a conditional
UPDATE on the expected status, so two supervisors acting at once cannot both move the same visit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.services import case_reveal, clean_text, next_number, timeline_add, transition
from lib.errors import Conflict, ServiceError
from privacy.logging import scrub
from privacy.models import PIAccessLog
from privacy.services import validate_phone
from staff.access import require, user_can
from staff.models import HallAssignment, HallRole
from visits.models import (
    AuthorisationMethod,
    Authoriser,
    EventKind,
    HomeVisit,
    Outcome,
    Reason,
    Status,
    VisitCounter,
)

# Who may be sent to a customer's home: the hall's clerks, duty supervisors and managers.
VISITOR_ROLES = (HallRole.CLERK, HallRole.DUTY_SUPERVISOR, HallRole.HALL_MANAGER)
REVEAL_CHOICES = [
    ("address", _("上门地址")),
    ("contact_phone", _("联系电话")),
    ("customer_name", _("客户姓名")),
]


def _move(visit, from_statuses, to, **fields) -> HomeVisit:
    return transition(
        visit,
        from_statuses,
        to,
        conflict_code="visit_state",
        message=_("上门服务状态已变化，请刷新后重试"),
        **fields,
    )


def _aware(value, field: str, message) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ServiceError(f"invalid_{field}", message, field=field)
    return value


@transaction.atomic
def visit_book(
    *,
    hall,
    reason: str,
    customer_name: str,
    contact_phone: str,
    address: str,
    content: str,
    actor,
    business_type=None,
    agreement_reference: str = "",
    preferred_time: datetime | None = None,
    now: datetime | None = None,
) -> HomeVisit:
    """BIZ-4 / BIZ-1.2: book a home visit for a customer with limited mobility, or a group customer by agreement."""
    require(actor, "visit.book", hall)
    if reason not in Reason.values:
        raise ServiceError("invalid_reason", _("请选择上门原因"), field="reason")
    agreement_reference = (agreement_reference or "").strip()[:64]
    if reason == Reason.GROUP_AGREEMENT and not agreement_reference:
        raise ServiceError("agreement_required", _("集团客户上门须填写协议编号"), field="agreement_reference")
    name = clean_text(customer_name, "name_required", _("请填写客户姓名"), "customer_name", max_len=100)
    phone = validate_phone(contact_phone, field="contact_phone")
    address = clean_text(address, "address_required", _("请填写上门地址"), "address", min_len=5, max_len=300)
    content = clean_text(
        content, "content_required", _("请填写需要办理的服务内容"), "content", min_len=2, max_len=2000
    )
    now = now or timezone.now()
    if preferred_time is not None:
        _aware(preferred_time, "preferred_time", _("期望时间格式不正确"))
        if preferred_time < now:
            raise ServiceError("preferred_in_past", _("期望时间不能早于现在"), field="preferred_time")
    visit = HomeVisit.objects.create(
        hall=hall,
        number=next_number(VisitCounter, prefix="SM", hall=hall, day=timezone.localdate(now)),
        reason=reason,
        agreement_reference=agreement_reference if reason == Reason.GROUP_AGREEMENT else "",
        customer_name=name,
        contact_phone=phone,
        address=address,
        content=content,
        business_type=business_type,
        preferred_time=preferred_time,
        booked_at=now,
        booked_by=actor,
    )
    timeline_add(visit, EventKind.BOOKED, actor=actor, at=now, data={"reason": reason})
    return visit


@transaction.atomic
def visit_confirm(
    *, visit: HomeVisit, actor, scheduled_at: datetime, content: str = "", note: str = "", now=None
) -> HomeVisit:
    """BIZ-4: content and time confirmed with the customer in advance (the content may be corrected here)."""
    require(actor, "visit.handle", visit.hall)
    now = now or timezone.now()
    _aware(scheduled_at, "scheduled_at", _("请填写上门时间"))
    if scheduled_at <= now:
        raise ServiceError("scheduled_in_past", _("上门时间须晚于现在（提前确认）"), field="scheduled_at")
    if scheduled_at > now + timedelta(days=90):
        raise ServiceError("scheduled_too_far", _("上门时间不能超过90天之后"), field="scheduled_at")
    fields = {"scheduled_at": scheduled_at, "confirmed_at": now, "confirmed_by": actor}
    if (content or "").strip():
        fields["content"] = clean_text(
            content, "content_required", _("请填写服务内容"), "content", max_len=2000
        )
    note = (note or "").strip()[:500]
    _move(visit, [Status.REQUESTED], Status.CONFIRMED, **fields)
    timeline_add(
        visit,
        EventKind.CONFIRMED,
        actor=actor,
        at=now,
        note=note,
        data={"scheduled_at": scheduled_at.isoformat()},
    )
    return visit


@transaction.atomic
def visit_authorise(
    *,
    visit: HomeVisit,
    actor,
    authoriser: str,
    authoriser_name: str,
    method: str,
    authorised_at: datetime,
    now=None,
) -> HomeVisit:
    """BIZ-1.2 上门服务需客户授权： who authorised (the customer, a guardian, an agent, the group's contact), how and
    when. Recorded after the content and time are confirmed, and required before a clerk is assigned."""
    require(actor, "visit.handle", visit.hall)
    if authoriser not in Authoriser.values:
        raise ServiceError("invalid_authoriser", _("请选择授权人身份"), field="authoriser")
    if method not in AuthorisationMethod.values:
        raise ServiceError("invalid_method", _("请选择授权方式"), field="method")
    if visit.reason == Reason.GROUP_AGREEMENT and authoriser == Authoriser.GUARDIAN:
        raise ServiceError(
            "invalid_authoriser", _("集团客户应由客户本人或集团联系人授权"), field="authoriser"
        )
    name = clean_text(
        authoriser_name, "authoriser_required", _("请填写授权人姓名"), "authoriser_name", max_len=100
    )
    now = now or timezone.now()
    _aware(authorised_at, "authorised_at", _("请填写授权时间"))
    if authorised_at > now + timedelta(minutes=5):
        raise ServiceError("authorised_in_future", _("授权时间不能晚于现在"), field="authorised_at")
    if authorised_at < visit.booked_at - timedelta(days=30):
        raise ServiceError(
            "authorised_too_early", _("授权时间早于预约太久，请重新取得授权"), field="authorised_at"
        )
    _move(
        visit,
        [Status.CONFIRMED],
        Status.AUTHORISED,
        authoriser=authoriser,
        authoriser_name=name,
        authorisation_method=method,
        authorised_at=authorised_at,
        authorisation_recorded_by=actor,
    )
    timeline_add(
        visit, EventKind.AUTHORISED, actor=actor, at=now, data={"authoriser": authoriser, "method": method}
    )
    return visit


@transaction.atomic
def visit_assign(*, visit: HomeVisit, actor, clerk, now=None) -> HomeVisit:
    """A clerk of the hall is sent; refused until the customer's authorisation is on record."""
    require(actor, "visit.handle", visit.hall)
    visit.refresh_from_db()
    if visit.status in (Status.REQUESTED, Status.CONFIRMED) or visit.authorised_at is None:
        raise Conflict("authorisation_required", _("须先记录客户授权，才能派员上门"))
    if (
        clerk is None
        or not HallAssignment.objects.filter(
            user=clerk, hall=visit.hall, role__in=VISITOR_ROLES, user__is_active=True
        ).exists()
    ):
        raise ServiceError("clerk_invalid", _("上门员工须为本厅营业员或主管"), field="clerk")
    now = now or timezone.now()
    _move(visit, [Status.AUTHORISED], Status.ASSIGNED, clerk=clerk, assigned_at=now)
    timeline_add(visit, EventKind.ASSIGNED, actor=actor, at=now, data={"clerk": clerk.pk})
    return visit


def can_record_result(user, visit: HomeVisit) -> bool:
    return (
        visit.clerk_id == getattr(user, "pk", None) and user_can(user, "visit.perform", visit.hall)
    ) or user_can(user, "visit.handle", visit.hall)


@transaction.atomic
def visit_record_result(*, visit: HomeVisit, actor, outcome: str, result: str, now=None) -> HomeVisit:
    """The visit's result, by the clerk who went (or a supervisor for them)."""
    require(actor, "visit.perform" if visit.clerk_id == actor.pk else "visit.handle", visit.hall)
    if outcome not in Outcome.values:
        raise ServiceError("invalid_outcome", _("请选择办理结果"), field="outcome")
    result = clean_text(result, "result_required", _("请填写办理结果说明"), "result", min_len=2, max_len=2000)
    now = now or timezone.now()
    _move(visit, [Status.ASSIGNED], Status.DONE, outcome=outcome, result=result, done_at=now)
    timeline_add(visit, EventKind.DONE, actor=actor, at=now, note=result, data={"outcome": outcome})
    return visit


@transaction.atomic
def visit_cancel(*, visit: HomeVisit, actor, reason: str, now=None) -> HomeVisit:
    require(actor, "visit.handle", visit.hall)
    reason = clean_text(reason, "reason_required", _("请填写取消原因"), "reason", min_len=2, max_len=500)
    now = now or timezone.now()
    visit.refresh_from_db()
    if not visit.is_open:
        raise Conflict("visit_closed", _("该上门服务已结束"))
    _move(visit, [visit.status], Status.CANCELLED, cancelled_at=now)
    timeline_add(visit, EventKind.CANCELLED, actor=actor, at=now, note=reason)
    return visit


@transaction.atomic
def visit_reveal(*, visit: HomeVisit, actor, field: str, reason: str, ip_address: str | None = None) -> str:
    """The full address / phone / name, audited (PIAccessLog): a holder of ``pi.reveal`` in the hall, or the clerk
    assigned to the visit while it is open — they must find the door and call ahead."""
    if not (visit.clerk_id == actor.pk and visit.status == Status.ASSIGNED):
        return case_reveal(case=visit, actor=actor, field=field, reason=reason, ip_address=ip_address)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("reason_required", _("查看完整信息须填写原因"), field="reason")
    if field not in HomeVisit.PI_FIELDS:
        raise ServiceError("unknown_field", _("该字段不可查看"), field="field")
    PIAccessLog.objects.create(
        user=actor,
        hall=visit.hall,
        subject_type=visit._meta.label_lower,
        subject_id=str(visit.pk),
        field=field,
        reason=scrub(reason)[:255],
        ip_address=ip_address,
    )
    return getattr(visit, field)
