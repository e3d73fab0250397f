"""Staff endpoints: the greeter (waiting list, flag, reactivate, transfer) and the counter (call-next … finish)."""

from __future__ import annotations

from ninja import Schema, Status

from halls.models import Counter
from queueing import selectors, services
from queueing.api._common import (
    ERRORS,
    TicketOut,
    _counter,
    _counter_ticket,
    _counter_to_call,
    _hall_from,
    _ticket,
    _user,
    router,
    ticket_out,
)
from queueing.hotpath import identity
from queueing.models import Ticket
from tingwu.api_auth import STAFF_AUTH

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


class DeskCounterOut(Schema):
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


@router.get("/counters/{counter_id}", response={200: DeskCounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_detail(request, counter_id: int):
    counter, _u = _counter(request, counter_id)
    return counter_out(counter)


class ReasonIn(Schema):
    reason: str = ""


@router.post("/counters/{counter_id}/open", response={200: DeskCounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_open(request, counter_id: int):
    counter, user = _counter(request, counter_id)
    return counter_out(services.counter_open(counter=counter, actor=user))


@router.post("/counters/{counter_id}/pause", response={200: DeskCounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_pause(request, counter_id: int, payload: ReasonIn):
    counter, user = _counter(request, counter_id)
    return counter_out(services.counter_pause(counter=counter, actor=user, reason=payload.reason))


@router.post("/counters/{counter_id}/close", response={200: DeskCounterOut, **ERRORS}, auth=STAFF_AUTH)
def counter_close(request, counter_id: int, payload: ReasonIn):
    counter, user = _counter(request, counter_id)
    return counter_out(services.counter_close(counter=counter, actor=user, reason=payload.reason))


@router.post(
    "/counters/{counter_id}/call-next", response={200: TicketOut, 204: None, **ERRORS}, auth=STAFF_AUTH
)
def counter_call_next(request, counter_id: int):
    counter, user = _counter_to_call(request, counter_id)
    ticket = services.ticket_call_next(counter=counter, clerk=user)
    identity.remember(request)  # this session may now use the hot path (queueing.hotpath)
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
        out = ticket_out(fn(ticket=ticket, clerk=user, counter=counter))
        if name == "start":
            identity.remember(request)
        return out

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
    # The materials check: when given, the missing list is derived from it (mandatory ones not brought, BIZ-1.1).
    brought_material_ids: list[int] | None = None


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
        brought_material_ids=payload.brought_material_ids,
    )
    identity.remember(request)
    return ticket_out(ticket)
