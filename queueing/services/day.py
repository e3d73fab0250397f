"""Day close: tickets still open at closing time are closed with a reason; missed appointments swept."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from queueing import clock
from queueing.models import (
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)
from queueing.services._common import (
    _publish,
)

# --- day close -----------------------------------------------------------------------------------------------


def queue_day_close(*, hall, at=None) -> int:
    """Close every ticket still waiting (or suspended, or a no-show that can no longer be reactivated) at closing
    time, with a reason. Returns how many were closed. Safe to run twice."""
    at = at or clock.now()
    reason = "营业结束，号码自动关闭"
    with transaction.atomic():
        rows = list(
            Ticket.objects.filter(
                hall_id=hall.pk,
                service_date__lte=timezone.localdate(at),
                status__in=[TicketStatus.WAITING, TicketStatus.SUSPENDED, TicketStatus.NO_SHOW],
            ).values_list("pk", flat=True)
        )
        closed = Ticket.objects.filter(
            pk__in=rows, status__in=[TicketStatus.WAITING, TicketStatus.SUSPENDED, TicketStatus.NO_SHOW]
        ).update(
            status=TicketStatus.CLOSED,
            closed_reason=reason,
            finished_at=Coalesce(F("finished_at"), Value(at)),
        )
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(ticket_id=pk, hall_id=hall.pk, kind=TicketEventKind.CLOSED, at=at, data={})
                for pk in rows
            ]
        )
        from queueing.appointments import appointment_sweep

        appointment_sweep(now=at, hall=hall)
        if closed:
            _publish(hall.pk, "queue.day_closed", {"closed": closed})
    return closed
