"""Queue API under /api/v1/queue/ (issue 3 §8): kiosk, counter, display feed, greeter, supervisor, appointments.

Devices authenticate with a hall-bound token (kiosk, display, APP, WeCom) and only ever reach their own hall; staff
use their session and reach the halls of their roles. Every action calls the same service as the pages.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from catalog.models import BusinessType
from halls.models import Counter, Hall
from integrations.models import ApiToken, TokenKind
from lib.errors import Forbidden, NotFound, ServiceError
from queueing import selectors, services
from queueing.models import Appointment, Ticket
from staff.access import require
from tingwu.api import DEVICE_AUTH, STAFF_AUTH

router = Router()

# Device tokens are tried first: a kiosk has no session, and the session check would refuse it for a missing CSRF
# token before the bearer token is looked at.
ANY_AUTH = [*DEVICE_AUTH, django_auth]


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class BusinessOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    prefix: str = Field(..., alias="ticket_prefix")


class TicketOut(Schema):
    id: int
    number: str
    status: str
    business_type_id: int
    business: str
    priority_kind: str
    green_channel: bool
    needs_accompaniment: bool
    needs_form_help: bool
    counter: int | None = None
    recall_count: int
    issued_at: datetime
    arrival_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    confirmed_at: datetime | None = None
    finished_at: datetime | None = None
    estimated_wait_minutes: int | None = None
    clock: str
    seconds_left: int | None = None
    limit_minutes: int | None = None
    within_limit: bool | None = None
    outcome: str
    public_token: str
    mobile_url: str


def ticket_out(t: Ticket) -> dict:
    from django.urls import reverse

    clk = t.clock()
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "business_type_id": t.business_type_id,
        "business": t.business_type.name,
        "priority_kind": t.priority_kind,
        "green_channel": t.green_channel,
        "needs_accompaniment": t.needs_accompaniment,
        "needs_form_help": t.needs_form_help,
        "counter": t.counter.number if t.counter_id else None,
        "recall_count": t.recall_count,
        "issued_at": t.issued_at,
        "arrival_at": t.arrival_at,
        "called_at": t.called_at,
        "started_at": t.started_at,
        "confirmed_at": t.confirmed_at,
        "finished_at": t.finished_at,
        "estimated_wait_minutes": t.estimated_wait_minutes,
        "clock": clk.state,
        "seconds_left": clk.seconds_left,
        "limit_minutes": clk.limit_minutes,
        "within_limit": t.within_limit,
        "outcome": t.outcome,
        "public_token": t.public_token,
        "mobile_url": reverse("queueing:mobile_ticket", args=[t.public_token]),
    }


def _user(request):
    auth = request.auth
    return auth if isinstance(auth, AbstractBaseUser) else None


def _device(request, kinds: set[str]) -> ApiToken | None:
    auth = request.auth
    if isinstance(auth, ApiToken):
        if auth.kind not in kinds:
            raise Forbidden("wrong_device", _("该设备令牌不能执行此操作"))
        return auth
    return None


def _hall_from(
    request, hall_id: int | None, *, kinds: set[str], capability: str
) -> tuple[Hall, object | None]:
    """The hall of a device token (a different ``hall_id`` is refused), or a hall the staff member may act in."""
    token = _device(request, kinds)
    if token is not None:
        if hall_id is not None and hall_id != token.hall_id:
            raise Forbidden("other_hall_token", _("设备令牌不属于该营业厅"))
        return token.hall, None
    user = _user(request)
    if hall_id is None:
        raise ServiceError("hall_required", _("请指定营业厅"), field="hall_id")
    hall = Hall.objects.for_user(user).filter(pk=hall_id).first()
    if hall is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    require(user, capability, hall)
    return hall, user


def _counter(request, counter_id: int) -> tuple[Counter, object]:
    user = _user(request)
    counter = Counter.objects.for_user(user).filter(pk=counter_id).first()
    if counter is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    require(user, "queue.serve", counter.hall_id)
    return counter, user


def _ticket(request, ticket_id: int) -> Ticket:
    t = (
        Ticket.objects.for_user(_user(request))
        .select_related("business_type", "counter", "hall")
        .filter(pk=ticket_id)
    )
    ticket = t.first()
    if ticket is None:
        raise NotFound("not_found", _("记录不存在或无权查看"))
    return ticket


def _counter_ticket(request, counter_id: int, ticket_id: int) -> tuple[Counter, Ticket, object]:
    counter, user = _counter(request, counter_id)
    ticket = _ticket(request, ticket_id)
    if ticket.counter_id != counter.pk:
        raise Forbidden("not_this_counter", _("该号码不在本窗口办理"))
    return counter, ticket, user


# --- kiosk ---------------------------------------------------------------------------------------------------
KIOSK_KINDS = {TokenKind.KIOSK}


@router.get("/kiosk/business-types", response={200: list[BusinessOut], **ERRORS}, auth=ANY_AUTH)
def kiosk_business_types(request, hall_id: int | None = None):
    hall, _user_ = _hall_from(
        request, hall_id, kinds=KIOSK_KINDS | {TokenKind.APP, TokenKind.WECOM}, capability="queue.issue"
    )
    return list(BusinessType.objects.for_hall(hall).order_by("category", "sort_order", "code"))


class IssueIn(Schema):
    business_type_id: int
    priority_kind: str = ""
    green_channel_mobile: str = ""
    needs_accompaniment: bool = False
    needs_form_help: bool = False
    idempotency_key: str | None = Field(None, max_length=64)


def _green_customer(hall, mobile: str):
    """BIZ-1.2: the green-channel agreement is looked up by phone through the blind index."""
    if not mobile:
        return None
    from privacy import crypto
    from privacy.models import Customer

    customer = Customer.objects.filter(mobile_index=crypto.blind_index("phone", mobile)).first()
    if customer is None or not customer.has_green_channel:
        raise ServiceError(
            "green_channel_not_found", _("未找到有效的绿色通道协议"), field="green_channel_mobile"
        )
    return customer


@router.post("/kiosk/tickets", response={201: TicketOut, **ERRORS}, auth=ANY_AUTH)
def kiosk_issue(request, payload: IssueIn, hall_id: int | None = None):
    hall, user = _hall_from(
        request, hall_id, kinds=KIOSK_KINDS | {TokenKind.APP, TokenKind.WECOM}, capability="queue.issue"
    )
    customer = _green_customer(hall, payload.green_channel_mobile)
    token = getattr(request, "api_token", None)
    source = {TokenKind.APP: "app", TokenKind.WECOM: "wecom"}.get(getattr(token, "kind", ""), "kiosk")
    ticket = services.ticket_issue(
        hall=hall,
        business_type=payload.business_type_id,
        priority_kind=payload.priority_kind,
        green_channel=customer is not None,
        customer=customer,
        idempotency_key=payload.idempotency_key,
        source=source if user is None else "greeter",
        actor=user,
        needs_accompaniment=payload.needs_accompaniment,
        needs_form_help=payload.needs_form_help,
    )
    return Status(201, ticket_out(ticket))


class CheckInIn(Schema):
    code: str = ""
    mobile: str = ""
    idempotency_key: str | None = Field(None, max_length=64)


@router.post("/kiosk/check-in", response={201: TicketOut, **ERRORS}, auth=ANY_AUTH)
def kiosk_check_in(request, payload: CheckInIn, hall_id: int | None = None):
    hall, user = _hall_from(request, hall_id, kinds=KIOSK_KINDS, capability="queue.issue")
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


# --- greeter -------------------------------------------------------------------------------------------------


@router.get("/halls/{hall_id}/waiting", response={200: list[TicketOut], **ERRORS}, auth=STAFF_AUTH)
def greeter_waiting(request, hall_id: int):
    hall, _u = _hall_from(request, hall_id, kinds=set(), capability="queue.greet")
    return [ticket_out(t) for t in selectors.waiting_list(hall=hall)]


class FlagIn(Schema):
    priority_kind: str | None = None
    needs_accompaniment: bool | None = None
    needs_form_help: bool | None = None


@router.post("/tickets/{ticket_id}/flag", response={200: TicketOut, **ERRORS}, auth=STAFF_AUTH)
def greeter_flag(request, ticket_id: int, payload: FlagIn):
    ticket = _ticket(request, ticket_id)
    return ticket_out(services.ticket_flag(ticket=ticket, actor=_user(request), **payload.dict()))


@router.post("/tickets/{ticket_id}/reactivate", response={200: TicketOut, **ERRORS}, auth=STAFF_AUTH)
def greeter_reactivate(request, ticket_id: int):
    return ticket_out(services.ticket_reactivate(ticket=_ticket(request, ticket_id), actor=_user(request)))


class TransferIn(Schema):
    business_type_id: int | None = None
    counter_id: int | None = None


@router.post("/tickets/{ticket_id}/transfer", response={200: TicketOut, **ERRORS}, auth=STAFF_AUTH)
def ticket_transfer(request, ticket_id: int, payload: TransferIn):
    ticket = _ticket(request, ticket_id)
    return ticket_out(
        services.ticket_transfer(
            ticket=ticket,
            actor=_user(request),
            business_type=payload.business_type_id,
            counter=payload.counter_id,
        )
    )


# --- counter -------------------------------------------------------------------------------------------------


class CounterOut(Schema):
    id: int
    number: int
    status: str
    pause_reason: str
    ticket: TicketOut | None = None


def counter_out(counter: Counter) -> dict:
    active = (
        Ticket.objects.active()
        .filter(counter_id=counter.pk)
        .select_related("business_type", "counter")
        .first()
    )
    return {
        "id": counter.pk,
        "number": counter.number,
        "status": counter.status,
        "pause_reason": counter.pause_reason,
        "ticket": ticket_out(active) if active else None,
    }


@router.get("/counters/{counter_id}", response={200: CounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_detail(request, counter_id: int):
    counter, _u = _counter(request, counter_id)
    return counter_out(counter)


class ReasonIn(Schema):
    reason: str = ""


@router.post("/counters/{counter_id}/open", response={200: CounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_open(request, counter_id: int):
    counter, user = _counter(request, counter_id)
    return counter_out(services.counter_open(counter=counter, actor=user))


@router.post("/counters/{counter_id}/pause", response={200: CounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_pause(request, counter_id: int, payload: ReasonIn):
    counter, user = _counter(request, counter_id)
    return counter_out(services.counter_pause(counter=counter, actor=user, reason=payload.reason))


@router.post("/counters/{counter_id}/close", response={200: CounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_close(request, counter_id: int, payload: ReasonIn):
    counter, user = _counter(request, counter_id)
    return counter_out(services.counter_close(counter=counter, actor=user, reason=payload.reason))


@router.post(
    "/counters/{counter_id}/call-next", response={200: TicketOut, 204: None, **ERRORS}, auth=STAFF_AUTH
)
def counter_call_next(request, counter_id: int):
    counter, user = _counter(request, counter_id)
    ticket = services.ticket_call_next(counter=counter, clerk=user)
    if ticket is None:
        return Status(204, None)
    return ticket_out(ticket)


def _simple_action(name: str, fn):
    @router.post(
        f"/counters/{{counter_id}}/tickets/{{ticket_id}}/{name}",
        response={200: TicketOut, **ERRORS},
        auth=STAFF_AUTH,
        operation_id=f"queueing_counter_{name.replace('-', '_')}",
    )
    def action(request, counter_id: int, ticket_id: int):
        counter, ticket, user = _counter_ticket(request, counter_id, ticket_id)
        return ticket_out(fn(ticket=ticket, clerk=user, counter=counter))

    action.__name__ = f"counter_{name.replace('-', '_')}"
    return action


for _name, _fn in [
    ("recall", services.ticket_recall),
    ("no-show", services.ticket_no_show),
    ("start", services.handling_start),
    ("confirm", services.handling_confirm_needs),
    ("suspend", services.ticket_suspend),
    ("resume", services.ticket_resume),
]:
    _simple_action(_name, _fn)


class FinishIn(Schema):
    outcome: str
    business_type_ids: list[int]
    notes: str = ""
    missing_material_ids: list[int] = []


@router.post(
    "/counters/{counter_id}/tickets/{ticket_id}/finish", response={200: TicketOut, **ERRORS}, auth=STAFF_AUTH
)
def counter_finish(request, counter_id: int, ticket_id: int, payload: FinishIn):
    counter, ticket, user = _counter_ticket(request, counter_id, ticket_id)
    ticket = services.handling_finish(
        ticket=ticket,
        clerk=user,
        counter=counter,
        outcome=payload.outcome,
        business_types=payload.business_type_ids,
        notes=payload.notes,
        missing_material_ids=payload.missing_material_ids,
    )
    return ticket_out(ticket)


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
    appt = get_object_or_404(Appointment, hall=hall, code=code.upper())
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
