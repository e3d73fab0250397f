"""Floor workflows: announcements (ENV-3), emergency mode (STF-3.2), greeter referrals (BIZ-4), and the clerk's report
to the duty supervisor （STF-3.2 「第一时间向值班主管汇报」）： one tap on the console; the duty supervisor on duty (else
the hall managers, the SLA ladder's rule in ``sla.escalation``) is notified at once through the outbox; the report is
on the board, live, where it becomes emergency mode with the expected recovery time, or is closed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from floor import bus
from floor.models import (
    TEMPORARY_KINDS,
    Announcement,
    AnnouncementKind,
    Incident,
    IncidentAction,
    IncidentKind,
    IncidentLog,
    IncidentReport,
    ReportStatus,
    SelfServiceReferral,
)
from lib.errors import Conflict, Forbidden, ServiceError
from notify.messages import register_template
from notify.services import notification_enqueue
from sla.escalation import duty_supervisors, hall_managers
from staff.access import require, user_can

logger = logging.getLogger(__name__)

MAX_RECOVERY_MINUTES = 8 * 60


def _halls_reached(announcement: Announcement) -> list[int]:
    from halls.models import Hall

    if announcement.hall_id:
        return [announcement.hall_id]
    return list(
        Hall.objects.filter(region_id__in=announcement.region.descendant_ids()).values_list("pk", flat=True)
    )


def _publish_after_commit(hall_ids: list[int], kind: str, data: dict) -> None:
    def send():
        for hall_id in hall_ids:
            bus.publish(hall_id=hall_id, kind=kind, data=data)

    transaction.on_commit(send)


def announcement_publish(
    *,
    user,
    kind: str,
    title: str,
    body: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    hall=None,
    region=None,
    consult_phone: str = "",
    consult_wecom: str = "",
    consult_window: str = "",
) -> Announcement:
    """ENV-3: a hall manager publishes a notice with its effective window; temporary notices (business change,
    system upgrade) must name a consultation channel. Screens of the hall(s) are told after commit."""
    if (hall is None) == (region is None):
        raise ServiceError("invalid_scope", _("请选择一个营业厅或一个区域"), field="hall")
    if hall is not None:
        require(user, "announcement.publish", hall)
    else:
        # Region-wide: only for someone who may publish in every hall it reaches (HQ, not one hall's manager).
        from halls.models import Hall

        hall_ids = list(
            Hall.objects.filter(region_id__in=region.descendant_ids()).values_list("pk", flat=True)
        )
        if not hall_ids or not all(user_can(user, "announcement.publish", h) for h in hall_ids):
            raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    if kind not in AnnouncementKind.values:
        raise ServiceError("invalid_kind", _("公告类型不正确"), field="kind")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ServiceError("title_required", _("请填写标题"), field="title")
    if len(title) > 80:
        raise ServiceError("title_too_long", _("标题不能超过80个字"), field="title")
    if not body:
        raise ServiceError("body_required", _("请填写公告内容"), field="body")
    if len(body) > 500:
        raise ServiceError("body_too_long", _("内容不能超过500个字"), field="body")
    effective_from = starts_at or timezone.now()
    if ends_at is not None and ends_at <= effective_from:
        raise ServiceError("window_invalid", _("失效时间必须晚于生效时间"), field="ends_at")
    consult_phone, consult_wecom, consult_window = (
        (consult_phone or "").strip(),
        (consult_wecom or "").strip(),
        (consult_window or "").strip(),
    )
    if kind in TEMPORARY_KINDS and not (consult_phone or consult_wecom or consult_window):
        raise ServiceError(
            "consult_channel_required",
            _("临时公告须注明咨询渠道（电话、企业微信或咨询窗口）"),
            field="consult_phone",
        )
    if kind in TEMPORARY_KINDS and starts_at is None:
        # ENV-3 「标注生效时间」： the notice says from when; "now, by default" is not a stated time.
        raise ServiceError("starts_at_required", _("临时公告须注明生效时间"), field="starts_at")
    with transaction.atomic():
        announcement = Announcement.objects.create(
            hall=hall,
            region=region,
            kind=kind,
            title=title,
            body=body,
            starts_at=effective_from,
            ends_at=ends_at,
            consult_phone=consult_phone,
            consult_wecom=consult_wecom,
            consult_window=consult_window,
            published_by=user,
        )
        _publish_after_commit(
            _halls_reached(announcement), "announcement.changed", {"announcement_id": announcement.pk}
        )
    return announcement


def announcement_withdraw(*, user, announcement: Announcement) -> Announcement:
    """Take a notice off the screens before its end (ENV-3)."""
    if announcement.hall_id:
        require(user, "announcement.publish", announcement.hall)
    elif not user_can(user, "announcement.publish"):
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))
    with transaction.atomic():
        now = timezone.now()
        changed = Announcement.objects.filter(pk=announcement.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=user
        )
        if changed == 0:
            raise Conflict("already_withdrawn", _("该公告已撤下"))
        _publish_after_commit(
            _halls_reached(announcement), "announcement.changed", {"announcement_id": announcement.pk}
        )
    announcement.refresh_from_db()
    return announcement


def _minutes(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ServiceError("minutes_invalid", _("预计恢复时间须为分钟数"), field="minutes")
    if not 1 <= minutes <= MAX_RECOVERY_MINUTES:
        raise ServiceError("minutes_out_of_range", _("预计恢复时间须在1到480分钟之间"), field="minutes")
    return minutes


def _incident_event(incident: Incident) -> dict:
    return {"incident_id": incident.pk, "open": incident.ended_at is None}


def incident_declare(*, user, hall, kind: str, minutes, note: str = "") -> Incident:
    """STF-3.2: the duty supervisor declares an incident; screens and clerks see the notice at once."""
    require(user, "emergency.declare", hall)
    if kind not in IncidentKind.values:
        raise ServiceError("invalid_kind", _("事件类型不正确"), field="kind")
    minutes = _minutes(minutes)
    now = timezone.now()
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                hall=hall,
                kind=kind,
                expected_recovery_at=now + timedelta(minutes=minutes),
                note=(note or "").strip(),
                declared_by=user,
                declared_at=now,
            )
            IncidentLog.objects.create(
                hall=hall,
                incident=incident,
                action=IncidentAction.DECLARED,
                actor=user,
                at=now,
                expected_recovery_at=incident.expected_recovery_at,
            )
            _publish_after_commit([hall.pk], "emergency.changed", _incident_event(incident))
    except IntegrityError:  # the partial unique index: one open incident per hall
        raise Conflict("incident_already_open", _("本厅已有进行中的应急事件，请先结束或调整它"))
    logger.info("incident %s declared in hall %s by user %s", incident.pk, hall.pk, user.pk)
    return incident


def incident_extend(*, user, incident: Incident, minutes) -> Incident:
    """Move the expected recovery time (from now); the notice's minutes follow."""
    require(user, "emergency.declare", incident.hall_id)
    minutes = _minutes(minutes)
    now = timezone.now()
    expected = now + timedelta(minutes=minutes)
    with transaction.atomic():
        changed = Incident.objects.filter(pk=incident.pk, ended_at__isnull=True).update(
            expected_recovery_at=expected
        )
        if changed == 0:
            raise Conflict("incident_closed", _("该应急事件已结束"))
        IncidentLog.objects.create(
            hall_id=incident.hall_id,
            incident=incident,
            action=IncidentAction.EXTENDED,
            actor=user,
            at=now,
            expected_recovery_at=expected,
        )
        _publish_after_commit([incident.hall_id], "emergency.changed", _incident_event(incident))
    incident.refresh_from_db()
    return incident


def incident_end(*, user, incident: Incident, note: str = "") -> Incident:
    """End emergency mode (STF-3.2); logged with the actor."""
    require(user, "emergency.declare", incident.hall_id)
    now = timezone.now()
    with transaction.atomic():
        changed = Incident.objects.filter(pk=incident.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=user
        )
        if changed == 0:
            raise Conflict("incident_closed", _("该应急事件已结束"))
        if note:
            incident.end_note = note.strip()
            incident.save(update_fields=["end_note"])
        IncidentLog.objects.create(
            hall_id=incident.hall_id, incident=incident, action=IncidentAction.ENDED, actor=user, at=now
        )
        incident.ended_at = now
        _publish_after_commit([incident.hall_id], "emergency.changed", _incident_event(incident))
    logger.info("incident %s ended by user %s", incident.pk, user.pk)
    incident.refresh_from_db()
    return incident


def selfservice_refer(*, user, hall, business_type=None, ticket_number: str = "") -> SelfServiceReferral:
    """The greeter sends a customer to the self-service terminals (BIZ-1.2 paperless, fewer queues)."""
    require(user, "queue.greet", hall)
    if business_type is not None and not business_type.halls.filter(pk=hall.pk).exists():
        raise ServiceError("unknown_business", _("本厅未开办该业务"), field="business_type")
    ticket_number = (ticket_number or "").strip().upper()
    if len(ticket_number) > 8:
        raise ServiceError("ticket_number_invalid", _("票号格式不正确"), field="ticket_number")
    with transaction.atomic():
        return SelfServiceReferral.objects.create(
            hall=hall, business_type=business_type, ticket_number=ticket_number, greeter=user
        )


def display_test(*, user, hall) -> None:
    """Send a test event to the hall's screens (the supervisor checks that every display is live)."""
    require(user, "queue.supervise", hall)
    bus.publish(hall_id=hall.pk, kind="display.test", data={"sent_at": timezone.now().timestamp()})


NOTE_MAX = 500
TEMPLATE = "floor_incident_report"

# No note in the message: a dispute's note may name the customer, and the robot posts to a group.
register_template(
    TEMPLATE,
    "【现场汇报】{hall_name}{counter}{reporter}报告{kind}({reported_at})，请值班主管{name}立即处理：{url}",
    subject="现场汇报",
)


def _name(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.full_name if profile else user.get_username()


def _event(report: IncidentReport) -> dict:
    return {"report_id": report.pk, "status": report.status}


def incident_report(*, user, hall, kind: str, note: str = "", counter=None) -> IncidentReport:
    """STF-3.2: anyone serving at a counter of the hall reports to the duty supervisor at once."""
    require(user, "queue.serve", hall)
    if kind not in IncidentKind.values:
        raise ServiceError("invalid_kind", _("事件类型不正确"), field="kind")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError("note_too_long", _("情况说明不能超过500个字"), field="note")
    if counter is not None and counter.hall_id != hall.pk:
        raise ServiceError("counter_invalid", _("该窗口不属于本厅"), field="counter")
    now = timezone.now()
    users = duty_supervisors(hall, now) or hall_managers(hall)
    with transaction.atomic():
        report = IncidentReport.objects.create(
            hall=hall, counter=counter, kind=kind, note=note, reported_by=user, reported_at=now
        )
        notification_enqueue(
            hall=hall,
            channel="wecom",
            recipient=getattr(settings, "TINGWU_SLA_WECOM_ROBOT", "default"),
            template=TEMPLATE,
            context={
                "hall_name": hall.name,
                "counter": str(counter) if counter else "",
                "reporter": _name(user),
                "kind": report.get_kind_display(),
                "reported_at": now,
                "name": "、".join(_name(u) for u in users) or "（未配置）",
                "url": settings.TINGWU_PUBLIC_BASE_URL + reverse("floor:board", args=[hall.pk]) + "#reports",
            },
            dedupe_key=f"floor:report:{report.pk}",
            subject=report,
            options={"mentioned_list": [u.get_username() for u in users]},
        )
        _publish_after_commit([hall.pk], "incident.reported", _event(report))
    return report


def _claim(*, user, report: IncidentReport, status: str) -> None:
    now = timezone.now()
    changed = IncidentReport.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
        status=status, handled_by=user, handled_at=now
    )
    if changed == 0:
        raise Conflict("report_handled", _("该汇报已处理"))
    report.status, report.handled_by, report.handled_at = status, user, now


def incident_report_declare(*, user, report: IncidentReport, minutes):
    """The duty supervisor turns the report into emergency mode with the expected recovery time (STF-3.2)."""
    require(user, "emergency.declare", report.hall_id)
    with transaction.atomic():
        _claim(user=user, report=report, status=ReportStatus.DECLARED)
        incident = incident_declare(
            user=user, hall=report.hall, kind=report.kind, minutes=minutes, note=report.note
        )
        IncidentReport.objects.filter(pk=report.pk).update(incident=incident)
        report.incident = incident
        _publish_after_commit([report.hall_id], "incident.reported", _event(report))
    return incident


def incident_report_dismiss(*, user, report: IncidentReport) -> IncidentReport:
    """Handled without emergency mode (the dispute calmed down, the system came back)."""
    require(user, "emergency.declare", report.hall_id)
    with transaction.atomic():
        _claim(user=user, report=report, status=ReportStatus.DISMISSED)
        _publish_after_commit([report.hall_id], "incident.reported", _event(report))
    return report


def open_reports(*, hall) -> list[IncidentReport]:
    return list(
        IncidentReport.objects.filter(hall=hall, status=ReportStatus.OPEN)
        .select_related("reported_by__staff_profile", "counter")
        .order_by("reported_at")
    )
