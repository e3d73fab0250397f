"""Device-facing endpoints: kiosk (issue, check-in), display feed, supervisor snapshot, appointments, mobile."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema, Status

from catalog.models import BusinessType
from integrations.models import TokenKind
from lib.errors import NotFound
from queueing import clock, selectors, services
from queueing.api._common import (
    ERRORS,
    BusinessOut,
    TicketOut,
    _hall_from,
    router,
    ticket_out,
)
from queueing.hotpath import identity
from queueing.models import Appointment, Ticket, TicketSource
from queueing.opening import kiosk_require_open
from tingwu.api_auth import ANY_AUTH, STAFF_AUTH

# --- kiosk ---------------------------------------------------------------------------------------------------
KIOSK_KINDS = {TokenKind.KIOSK}
ISSUE_KINDS = KIOSK_KINDS | {TokenKind.APP, TokenKind.WECOM}  # device tokens that issue tickets


def issue_source(token_kind: str) -> str:
    """The source of a ticket a device token of this kind issues (``TicketSource``).

    mirrored in queueing/hotpath/ops.py: issue (which calls it, and serves only ``ISSUE_KINDS``)."""
    return {TokenKind.APP: TicketSource.APP, TokenKind.WECOM: TicketSource.WECOM}.get(
        token_kind, TicketSource.KIOSK
    )


@router.get("/kiosk/business-types", response={200: list[BusinessOut], **ERRORS}, auth=ANY_AUTH)
def kiosk_business_types(request, hall_id: int | None = None):
    hall, _user_ = _hall_from(request, hall_id, kinds=ISSUE_KINDS, capability="queue.issue")
    return list(BusinessType.objects.for_hall(hall).order_by("category", "sort_order", "code"))


class IssueIn(Schema):
    business_type_id: int
    priority_kind: str = ""
    green_channel_mobile: str = ""
    needs_accompaniment: bool = False
    needs_form_help: bool = False
    needs_low_counter: bool = False  # a wheelchair user: called to a low counter when one is open (BIZ-4)
    idempotency_key: str | None = Field(None, max_length=64)


@router.post("/kiosk/tickets", response={201: TicketOut, **ERRORS}, auth=ANY_AUTH)
def kiosk_issue(request, payload: IssueIn, hall_id: int | None = None):
    hall, user = _hall_from(request, hall_id, kinds=ISSUE_KINDS, capability="queue.issue")
    customer = (
        services.green_channel_customer(mobile=payload.green_channel_mobile)
        if payload.green_channel_mobile
        else None
    )
    if user is None:  # a device follows the kiosk page's rule; a greeter at the hall issues at any time
        kiosk_require_open(hall=hall, now=clock.now())
    token = getattr(request, "api_token", None)
    source = issue_source(getattr(token, "kind", ""))
    ticket = services.ticket_issue(
        hall=hall,
        business_type=payload.business_type_id,
        priority_kind=payload.priority_kind,
        green_channel=customer is not None,
        customer=customer,
        idempotency_key=payload.idempotency_key,
        source=source if user is None else TicketSource.GREETER,
        actor=user,
        needs_accompaniment=payload.needs_accompaniment,
        needs_form_help=payload.needs_form_help,
        needs_low_counter=payload.needs_low_counter,
    )
    if user is None:
        identity.remember(request)  # this token may now use the hot path (queueing.hotpath)
    return Status(201, ticket_out(ticket))


class CheckInIn(Schema):
    code: str = ""
    mobile: str = ""
    idempotency_key: str | None = Field(None, max_length=64)


@router.post("/kiosk/check-in", response={201: TicketOut, **ERRORS}, auth=ANY_AUTH)
def kiosk_check_in(request, payload: CheckInIn, hall_id: int | None = None):
    hall, user = _hall_from(request, hall_id, kinds=KIOSK_KINDS, capability="queue.issue")
    if user is None:
        kiosk_require_open(hall=hall, now=clock.now())
    ticket = services.appointment_check_in(
        hall=hall,
        code=payload.code,
        mobile=payload.mobile,
        idempotency_key=payload.idempotency_key,
        actor=user,
    )
    return Status(201, ticket_out(ticket))


# --- display / supervisor ------------------------------------------------------------------------------------


@router.get("/display/feed", response={200: dict, **ERRORS}, auth=ANY_AUTH)
def display_feed(request, hall_id: int | None = None):
    """Snapshot and recent calls for a display or board (no personal information)."""
    hall, _u = _hall_from(
        request, hall_id, kinds={TokenKind.DISPLAY, TokenKind.KIOSK}, capability="queue.supervise"
    )
    snap = selectors.queue_snapshot(hall=hall)
    snap["recent_calls"] = selectors.recent_calls(hall=hall)
    snap["hall"] = {"id": hall.pk, "name": hall.name}
    return snap


@router.get("/halls/{hall_id}/snapshot", response={200: dict, **ERRORS}, auth=STAFF_AUTH)
def supervisor_snapshot(request, hall_id: int):
    hall, _u = _hall_from(request, hall_id, kinds=set(), capability="queue.supervise")
    return selectors.queue_snapshot(hall=hall)


# --- appointments (APP / WeCom) ------------------------------------------------------------------------------
APPOINTMENT_KINDS = {TokenKind.APP, TokenKind.WECOM}


class SlotOut(Schema):
    start: datetime
    end: datetime
    free: int


@router.get("/appointments/slots", response={200: list[SlotOut], **ERRORS}, auth=ANY_AUTH)
def appointment_slots(request, business_type_id: int, day: date, hall_id: int | None = None):
    hall, _u = _hall_from(request, hall_id, kinds=APPOINTMENT_KINDS, capability="queue.issue")
    from queueing.appointments import free_slots

    return free_slots(hall=hall, business_type=business_type_id, day=day)


class BookIn(Schema):
    business_type_id: int
    slot_start: datetime
    mobile: str = ""
    priority_kind: str = ""


class AppointmentOut(Schema):
    id: int
    code: str
    status: str
    business_type_id: int
    slot_start: datetime
    slot_end: datetime


@router.post("/appointments", response={201: AppointmentOut, **ERRORS}, auth=ANY_AUTH)
def appointment_book(request, payload: BookIn, hall_id: int | None = None):
    hall, _u = _hall_from(request, hall_id, kinds=APPOINTMENT_KINDS, capability="queue.issue")
    token = getattr(request, "api_token", None)
    appt = services.appointment_book(
        hall=hall,
        business_type=payload.business_type_id,
        slot_start=payload.slot_start,
        mobile=payload.mobile,
        priority_kind=payload.priority_kind,
        source="wecom" if getattr(token, "kind", "") == TokenKind.WECOM else "app",
    )
    return Status(201, appt)


@router.post("/appointments/{code}/cancel", response={200: AppointmentOut, **ERRORS}, auth=ANY_AUTH)
def appointment_cancel(request, code: str, hall_id: int | None = None):
    hall, _u = _hall_from(request, hall_id, kinds=APPOINTMENT_KINDS, capability="queue.issue")
    appt = Appointment.objects.filter(hall=hall, code=code.upper()).first()
    if appt is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return services.appointment_cancel(appointment=appt)


# --- the customer's own ticket (no login: the unguessable token is the credential) ---------------------------


class PositionOut(Schema):
    number: str
    status: str
    ahead: int | None = None
    estimated_wait_minutes: int | None = None
    counter: int | None = None
    counter_label: str = ""


@router.get("/mobile/{token}", response={200: PositionOut, **ERRORS}, auth=None)
def mobile_position(request, token: str):
    ticket = Ticket.objects.select_related("business_type", "counter").filter(public_token=token).first()
    if ticket is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return selectors.ticket_position(ticket=ticket)
