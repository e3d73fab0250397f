"""Ticket actions outside the call itself: reactivate, transfer, suspend / resume, flag (BIZ-4)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from halls.models import Counter
from lib.errors import Conflict, ServiceError
from queueing import clock
from queueing.models import (
    ACTIVE_STATUSES,
    PriorityKind,
    Ticket,
    TicketEventKind,
    TicketStatus,
)
from queueing.services._common import (
    _event,
    _lock_counter,
    _publish,
    _require_any,
    _transition,
    business_for_hall,
    check_counter_ticket,
    ticket_public_data,
)
from queueing.standard_memo import standard_at


def ticket_reactivate(*, ticket: Ticket, actor) -> Ticket:
    """Put a no-show back in the queue at its original arrival time, within ``queue.reactivate_minutes``."""
    _require_any(actor, ["queue.greet", "queue.serve"], ticket.hall_id)
    with transaction.atomic():
        now = clock.now()
        minutes = int(standard_at(now)["queue.reactivate_minutes"])
        if ticket.status != TicketStatus.NO_SHOW:
            raise Conflict("ticket_state_changed", _("只有过号的号码可以重新激活"))
        if ticket.no_show_at and (now - ticket.no_show_at).total_seconds() > minutes * 60:
            raise ServiceError("reactivate_expired", _("已超过过号重新激活的时限，请重新取号"))
        _transition(
            ticket,
            [TicketStatus.NO_SHOW],
            status=TicketStatus.WAITING,
            counter=None,
            clerk=None,
            recall_count=0,
            no_show_at=None,
        )
        _event(ticket, TicketEventKind.REACTIVATED, at=now, actor=actor)
        _publish(ticket.hall_id, "ticket.reactivated", ticket_public_data(ticket))
    return ticket


def ticket_transfer(*, ticket: Ticket, actor, business_type=None, counter: Counter | None = None) -> Ticket:
    """Send the ticket to another business and/or counter. It keeps its number, arrival time and priority, so it
    is called at the position it already earned."""
    _require_any(actor, ["queue.serve", "queue.greet"], ticket.hall_id)
    # A ticket at a counter (called, serving, suspended) belongs to that counter's clerk: only they or a supervisor
    # move it. Anyone else may move a waiting ticket only, and the UPDATE below insists it is still waiting.
    at_counter = ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.SUSPENDED)
    if at_counter:
        check_counter_ticket(ticket, actor, None)
    if business_type is None and counter is None:
        raise ServiceError("transfer_target_required", _("请选择转移到的业务或窗口"), field="business_type")
    with transaction.atomic():
        now = clock.now()
        bt = (
            business_for_hall(ticket.hall_id, business_type)
            if business_type is not None
            else ticket.business_type
        )
        if counter is not None:
            counter = Counter.objects.filter(
                pk=getattr(counter, "pk", counter), hall_id=ticket.hall_id
            ).first()
            if counter is None:
                raise ServiceError("unknown_counter", _("本厅没有该窗口"), field="counter")
        source_counter = ticket.counter
        _transition(
            ticket,
            [TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.SUSPENDED]
            if at_counter
            else [TicketStatus.WAITING],
            status=TicketStatus.WAITING,
            business_type=bt,
            target_counter=counter,
            counter=None,
            clerk=None,
            recall_count=0,
            started_at=None,
            confirmed_at=None,
            suspended_at=None,
            suspended_seconds=0,
            clock_mode="",
            limit_minutes=None,
        )
        _event(
            ticket,
            TicketEventKind.TRANSFERRED,
            at=now,
            actor=actor,
            counter=source_counter,
            business_type=bt.pk,
            to_counter=counter.pk if counter else None,
        )
        _publish(
            ticket.hall_id,
            "ticket.transferred",
            ticket_public_data(
                ticket, counter, from_counter=source_counter.number if source_counter else None
            ),
        )
    return ticket


def ticket_suspend(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """挂起： the customer steps away to fetch a document; the counter may serve others meanwhile."""
    check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        _transition(ticket, ACTIVE_STATUSES, status=TicketStatus.SUSPENDED, suspended_at=now)
        _event(ticket, TicketEventKind.SUSPENDED, at=now, actor=clerk, counter=ticket.counter)
        _publish(ticket.hall_id, "ticket.suspended", ticket_public_data(ticket))
    return ticket


def ticket_resume(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """回呼： call a suspended customer back to the same counter; the clock resumes where it stopped."""
    check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        if ticket.counter_id is None:
            raise Conflict("ticket_state_changed", _("号码状态已变化，请刷新后重试"))
        _lock_counter(ticket.counter)
        if Ticket.objects.active().filter(counter_id=ticket.counter_id).exists():
            raise Conflict("counter_busy", _("请先办结或处理当前号码，再回呼挂起的号码"))
        now = clock.now()
        paused = int((now - ticket.suspended_at).total_seconds()) if ticket.suspended_at else 0
        _transition(
            ticket,
            [TicketStatus.SUSPENDED],
            status=TicketStatus.SERVING if ticket.started_at else TicketStatus.CALLED,
            suspended_at=None,
            suspended_seconds=F("suspended_seconds") + max(0, paused),
            called_at=now,
        )
        _event(ticket, TicketEventKind.RESUMED, at=now, actor=clerk, counter=ticket.counter)
        # Screens announce it like a call: the customer must come back to the counter.
        _publish(ticket.hall_id, "ticket.called", ticket_public_data(ticket, resumed=True))
    return ticket


def ticket_flag(
    *,
    ticket: Ticket,
    actor,
    priority_kind: str | None = None,
    needs_accompaniment: bool | None = None,
    needs_form_help: bool | None = None,
    needs_low_counter: bool | None = None,
) -> Ticket:
    """BIZ-4: a greeter or clerk marks priority, accompaniment, help with forms or a low counter (wheelchair)."""
    _require_any(actor, ["queue.greet", "queue.serve"], ticket.hall_id)
    changes: dict = {}
    if priority_kind is not None:
        if priority_kind not in PriorityKind.values:
            raise ServiceError("invalid_priority", _("优先类别不正确"), field="priority_kind")
        changes["priority_kind"] = priority_kind
    if needs_accompaniment is not None:
        changes["needs_accompaniment"] = bool(needs_accompaniment)
    if needs_form_help is not None:
        changes["needs_form_help"] = bool(needs_form_help)
    if needs_low_counter is not None:
        changes["needs_low_counter"] = bool(needs_low_counter)
    if not changes:
        raise ServiceError("nothing_to_change", _("没有需要修改的标记"))
    with transaction.atomic():
        now = clock.now()
        _transition(
            ticket,
            [TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.SUSPENDED],
            **changes,
        )
        _event(ticket, TicketEventKind.FLAGGED, at=now, actor=actor, **changes)
        _publish(ticket.hall_id, "ticket.flagged", ticket_public_data(ticket))
    return ticket
