"""Floor API (``/api/v1/floor/…``): announcements, emergency mode, the display feed.

Devices (display, kiosk tokens) read their own hall only; staff sessions read what ``for_user`` allows and act with
``announcement.publish`` / ``emergency.declare`` / ``queue.supervise``.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from floor import bus, selectors, services
from floor.models import Announcement, AnnouncementKind, Incident, IncidentKind, IncidentReport
from halls.models import Counter
from lib.errors import NotFound, ServiceError
from staff.access import require
from staff.web import api_halls, api_staff_user, api_token
from tingwu.api_auth import STAFF_AUTH

router = Router()


class FloorErrorOut(Schema):
    code: str
    message: str
    message_en: str


class AnnouncementOut(Schema):
    id: int
    kind: str
    temporary: bool
    title: str
    body: str
    starts_at: str
    ends_at: str | None
    channels: list[str]
    effective: str = Field(..., description="生效时间（ENV-3） / the effective time as screens print it")


class AnnouncementIn(Schema):
    hall_id: int | None = Field(
        None, description="营业厅（与 region_id 二选一） / hall, or region_id for region-wide"
    )
    region_id: int | None = None
    kind: AnnouncementKind
    title: str = Field(..., max_length=80)
    body: str = Field(..., max_length=500)
    starts_at: datetime | None = Field(
        None,
        description="临时公告必填，普通公告留空为立即 / required for temporary kinds; empty: now (ENV-3)",
    )
    ends_at: datetime | None = None
    consult_phone: str = ""
    consult_wecom: str = ""
    consult_window: str = ""


class IncidentOut(Schema):
    id: int
    kind: str
    kind_label: str
    notice: str
    minutes_left: int
    expected_recovery_at: str
    declared_at: str


class IncidentIn(Schema):
    hall_id: int
    kind: IncidentKind
    minutes: int = Field(..., description="预计多少分钟后恢复（1–480） / expected minutes to recovery")
    note: str = ""


class IncidentExtendIn(Schema):
    minutes: int


class IncidentEndIn(Schema):
    note: str = ""


class FloorEventOut(Schema):
    id: int
    kind: str
    data: dict
    at: float


class FeedOut(Schema):
    hall_id: int
    last_event_id: int
    events_url: str
    state_url: str
    events: list[FloorEventOut]
    resync: bool


def _hall(request, hall_id: int):
    hall = api_halls(request).filter(pk=hall_id).first()
    if hall is None:
        token = api_token(request)
        if token is not None:
            from lib.errors import Forbidden

            raise Forbidden("device_wrong_hall", _("该设备令牌不属于此营业厅"))
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return hall


@router.get(
    "/announcements",
    response={200: list[AnnouncementOut], 403: FloorErrorOut, 404: FloorErrorOut},
    summary="营业厅当前有效公告 / Announcements in force for a hall (ENV-3)",
)
def announcement_list(request, hall_id: int):
    hall = _hall(request, hall_id)
    return [selectors.announcement_data(a) for a in selectors.effective_announcements(hall=hall, limit=50)]


@router.post(
    "/announcements",
    auth=STAFF_AUTH,
    response={201: AnnouncementOut, 400: FloorErrorOut, 403: FloorErrorOut, 404: FloorErrorOut},
    summary="发布公告 / Publish an announcement (announcement.publish)",
)
def announcement_create(request, payload: AnnouncementIn):
    from halls.models import Hall, Region

    user = api_staff_user(request)
    hall = region = None
    if payload.hall_id is not None:
        hall = get_object_or_404(Hall.objects.for_user(user), pk=payload.hall_id)
    if payload.region_id is not None:
        region = get_object_or_404(Region.objects.for_user(user), pk=payload.region_id)
    data = payload.dict(exclude={"hall_id", "region_id"})
    a = services.announcement_publish(user=user, hall=hall, region=region, **data)
    return Status(201, selectors.announcement_data(a))


@router.post(
    "/announcements/{int:announcement_id}/withdraw",
    auth=STAFF_AUTH,
    response={200: AnnouncementOut, 403: FloorErrorOut, 404: FloorErrorOut, 409: FloorErrorOut},
    summary="撤下公告 / Withdraw an announcement",
)
def announcement_withdraw(request, announcement_id: int):
    user = api_staff_user(request)
    a = Announcement.objects.for_user(user).filter(pk=announcement_id).first()
    if a is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return selectors.announcement_data(services.announcement_withdraw(user=user, announcement=a))


@router.get(
    "/emergency",
    response={200: IncidentOut | None, 403: FloorErrorOut, 404: FloorErrorOut},
    summary="当前应急事件（无则为 null）/ The hall's open incident, or null (STF-3.2)",
)
def emergency_current(request, hall_id: int):
    hall = _hall(request, hall_id)
    return selectors.incident_data(selectors.open_incident(hall=hall))


@router.post(
    "/emergency",
    auth=STAFF_AUTH,
    response={
        201: IncidentOut,
        400: FloorErrorOut,
        403: FloorErrorOut,
        404: FloorErrorOut,
        409: FloorErrorOut,
    },
    summary="启动应急模式 / Declare an incident (emergency.declare)",
)
def emergency_declare(request, payload: IncidentIn):
    user = api_staff_user(request)
    hall = _hall(request, payload.hall_id)
    incident = services.incident_declare(
        user=user, hall=hall, kind=payload.kind, minutes=payload.minutes, note=payload.note
    )
    return Status(201, selectors.incident_data(incident))


class IncidentHistoryOut(Schema):
    id: int
    hall_id: int
    kind: str
    declared_at: str
    declared_by: str
    expected_recovery_at: str
    ended_at: str | None
    ended_by: str | None


@router.get(
    "/emergency/history",
    auth=STAFF_AUTH,
    response={200: list[IncidentHistoryOut], 403: FloorErrorOut, 404: FloorErrorOut},
    summary="应急事件记录 / Incidents of a hall, newest first (STF-3.2)",
)
def emergency_history(request, hall_id: int, limit: int = 50):
    user = api_staff_user(request)
    hall = _hall(request, hall_id)
    # STF-3.2: the list is for those who run emergencies, as on the page (a clerk only sees the banner).
    require(user, "emergency.declare", hall)
    rows = (
        Incident.objects.for_user(user)
        .filter(hall=hall)
        .select_related("declared_by", "ended_by")
        .order_by("-declared_at")[: max(1, min(limit, 200))]
    )
    return [
        {
            "id": i.pk,
            "hall_id": i.hall_id,
            "kind": i.kind,
            "declared_at": i.declared_at.isoformat(),
            "declared_by": i.declared_by.username,
            "expected_recovery_at": i.expected_recovery_at.isoformat(),
            "ended_at": i.ended_at.isoformat() if i.ended_at else None,
            "ended_by": i.ended_by.username if i.ended_by else None,
        }
        for i in rows
    ]


def _incident(request, incident_id: int) -> Incident:
    incident = Incident.objects.for_user(request.user).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return incident


@router.post(
    "/emergency/{int:incident_id}/extend",
    auth=STAFF_AUTH,
    response={
        200: IncidentOut,
        400: FloorErrorOut,
        403: FloorErrorOut,
        404: FloorErrorOut,
        409: FloorErrorOut,
    },
    summary="调整预计恢复时间 / Move the expected recovery time",
)
def emergency_extend(request, incident_id: int, payload: IncidentExtendIn):
    user = api_staff_user(request)
    incident = services.incident_extend(
        user=user, incident=_incident(request, incident_id), minutes=payload.minutes
    )
    return selectors.incident_data(incident)


@router.post(
    "/emergency/{int:incident_id}/end",
    auth=STAFF_AUTH,
    response={200: dict, 403: FloorErrorOut, 404: FloorErrorOut, 409: FloorErrorOut},
    summary="结束应急模式 / End an incident",
)
def emergency_end(request, incident_id: int, payload: IncidentEndIn):
    user = api_staff_user(request)
    incident = services.incident_end(user=user, incident=_incident(request, incident_id), note=payload.note)
    return {"id": incident.pk, "ended_at": incident.ended_at.isoformat()}


@router.get(
    "/display/{int:hall_id}/feed",
    response={200: FeedOut, 400: FloorErrorOut, 403: FloorErrorOut, 404: FloorErrorOut},
    summary="叫号屏事件 / Display feed: events after an id, and the SSE stream URL",
    description=(
        "Live stream: `GET /floor/display/{hall_id}/events` — `text/event-stream` (Server-Sent Events), same auth "
        "(`Authorization: Bearer <display or kiosk token>` or `X-Device-Token`). Each frame is "
        '`id: <event id>` + `data: {"id", "kind", "data", "at"}`; heartbeat comments every 15 s; `retry: 3000`. '
        "Reconnect with the `Last-Event-ID` header (or `?last_event_id=`) to replay missed events; a `resync` event "
        "means they are no longer buffered: reload `state_url`. Kinds: `ticket.called`, `ticket.recalled` "
        "(`number`, `counter`, `recall`), other `ticket.*`/`queue.*`/`counter.*`, `announcement.changed`, "
        "`emergency.changed`, `display.test`. This endpoint is the polling fallback: events after `after`."
    ),
)
def display_feed(request, hall_id: int, after: int | None = None):
    hall = _hall(request, hall_id)
    backend = bus.get_backend()
    last = backend.last_id(hall.pk)
    if after is None:
        events, lost = [], False
    elif after < 0:
        from lib.errors import ServiceError

        raise ServiceError("invalid_after", _("事件编号不正确"), field="after")
    else:
        events, lost = backend.replay(hall.pk, after)
    return {
        "hall_id": hall.pk,
        "last_event_id": max([last] + [e.id for e in events]),
        "events_url": reverse("floor:events", args=[hall.pk]),
        "state_url": reverse("floor:display_state", args=[hall.pk]),
        "events": [{"id": e.id, "kind": e.kind, "data": e.data, "at": e.at} for e in events],
        "resync": lost,
    }


@router.post(
    "/display/{int:hall_id}/test",
    auth=STAFF_AUTH,
    response={202: dict, 403: FloorErrorOut, 404: FloorErrorOut},
    summary="向叫号屏发送测试事件 / Send a test event to the hall's screens (queue.supervise)",
)
def display_test(request, hall_id: int):
    user = api_staff_user(request)
    hall = _hall(request, hall_id)
    services.display_test(user=user, hall=hall)
    return Status(202, {"sent": True})


class IncidentReportIn(Schema):
    hall_id: int
    kind: IncidentKind
    note: str = Field("", max_length=500, description="情况说明（仅内部可见） / internal note")
    counter_id: int | None = None


class IncidentReportOut(Schema):
    id: int
    hall_id: int
    kind: str
    kind_label: str
    status: str
    reported_at: str
    counter_id: int | None
    incident_id: int | None


class IncidentReportDeclareIn(Schema):
    minutes: int = Field(..., description="预计多少分钟后恢复（1–480） / expected minutes to recovery")


def _report_data(r) -> dict:
    return {
        "id": r.pk,
        "hall_id": r.hall_id,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "status": r.status,
        "reported_at": r.reported_at.isoformat(),
        "counter_id": r.counter_id,
        "incident_id": r.incident_id,
    }


def _report(request, report_id: int):
    report = IncidentReport.objects.for_user(api_staff_user(request)).filter(pk=report_id).first()
    if report is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return report


@router.post(
    "/incident-reports",
    auth=STAFF_AUTH,
    response={201: IncidentReportOut, 400: FloorErrorOut, 403: FloorErrorOut, 404: FloorErrorOut},
    summary="向值班主管汇报 / Report a system failure or dispute to the duty supervisor (STF-3.2, queue.serve)",
)
def incident_report_create(request, payload: IncidentReportIn):
    user = api_staff_user(request)
    hall = _hall(request, payload.hall_id)
    counter = None
    if payload.counter_id is not None:
        counter = Counter.objects.filter(pk=payload.counter_id, hall=hall).first()
        if counter is None:
            raise ServiceError("counter_invalid", _("该窗口不属于本厅"), field="counter_id")
    report = services.incident_report(
        user=user, hall=hall, kind=payload.kind, note=payload.note, counter=counter
    )
    return Status(201, _report_data(report))


@router.get(
    "/incident-reports",
    auth=STAFF_AUTH,
    response={200: list[IncidentReportOut], 403: FloorErrorOut, 404: FloorErrorOut},
    summary="待处理的营业员汇报 / Open reports of a hall (STF-3.2, emergency.declare)",
)
def incident_report_list(request, hall_id: int):
    user = api_staff_user(request)
    hall = _hall(request, hall_id)
    require(user, "emergency.declare", hall)
    return [_report_data(r) for r in services.open_reports(hall=hall)]


@router.post(
    "/incident-reports/{report_id}/declare",
    auth=STAFF_AUTH,
    response={
        201: IncidentOut,
        400: FloorErrorOut,
        403: FloorErrorOut,
        404: FloorErrorOut,
        409: FloorErrorOut,
    },
    summary="由汇报启动应急模式 / Turn a report into emergency mode with the expected recovery (STF-3.2)",
)
def incident_report_declare(request, report_id: int, payload: IncidentReportDeclareIn):
    incident = services.incident_report_declare(
        user=api_staff_user(request), report=_report(request, report_id), minutes=payload.minutes
    )
    return Status(201, selectors.incident_data(incident))


@router.post(
    "/incident-reports/{report_id}/dismiss",
    auth=STAFF_AUTH,
    response={200: IncidentReportOut, 403: FloorErrorOut, 404: FloorErrorOut, 409: FloorErrorOut},
    summary="汇报已处理，无需应急模式 / Close a report without emergency mode (STF-3.2)",
)
def incident_report_dismiss(request, report_id: int):
    report = services.incident_report_dismiss(
        user=api_staff_user(request), report=_report(request, report_id)
    )
    return _report_data(report)
