"""Issuing numbers (ENV-2.2): the gapless per-hall, per-day, per-prefix sequence and ``ticket_issue``."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib import rows
from lib.errors import ServiceError
from queueing import clock
from queueing.models import (
    DailySequence,
    PriorityKind,
    Ticket,
    TicketEventKind,
    TicketSource,
)
from queueing.services._common import (
    _event,
    _publish,
    business_for_hall,
    ticket_public_data,
)
from staff.access import require, user_can

# --- green channel (BIZ-1.2) -----------------------------------------------------------------------------------


def green_channel_customer(*, mobile: str):
    """The customer whose green-channel agreement is in force, found by phone through the blind index.

    Several records may share a phone (registered in several halls); the one holding a valid agreement counts.
    An agreement is the company's, so any hall's record qualifies. Refused with a reason otherwise."""
    from django.db.models import Q

    from privacy.services import customer_find_by_phone

    customer = (
        customer_find_by_phone(mobile=mobile or "")
        .exclude(green_channel_agreement="")
        .filter(Q(green_channel_until__isnull=True) | Q(green_channel_until__gte=timezone.localdate()))
        .order_by("pk")
        .first()
    )
    if customer is None:
        raise ServiceError(
            "green_channel_not_found", _("未找到有效的绿色通道协议"), field="green_channel_mobile"
        )
    return customer


# --- numbering -----------------------------------------------------------------------------------------------


def next_seq(hall_id: int, service_date, prefix: str) -> int:
    """Gapless: the counter row is incremented in the ticket's own transaction (rolled back with it).

    ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35) gives the new value in the same statement that takes the row
    lock, so concurrent issuers queue on the row and each reads its own increment.

    Mirrored in queueing/hotpath/sql.py: ISSUE_SQL (an upsert in the same statement as the insert)."""
    table = DailySequence._meta.db_table
    sql = f"UPDATE {table} SET last_seq = last_seq + 1 WHERE hall_id = %s AND service_date = %s AND prefix = %s RETURNING last_seq"  # noqa: E501, S608 - fixed table name, values bound
    params = [hall_id, connection.ops.adapt_datefield_value(service_date), prefix]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # first ticket of this prefix today
            DailySequence.objects.bulk_create(
                [DailySequence(hall_id=hall_id, service_date=service_date, prefix=prefix, last_seq=0)],
                ignore_conflicts=True,
            )
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return row[0]


def format_number(prefix: str, seq: int) -> str:
    """ENV-2.2: the prefix and the day's sequence, three digits at least. Mirrored in queueing/hotpath/sql.py: ISSUE_SQL."""
    return f"{prefix}{seq:03d}"


# --- issue ---------------------------------------------------------------------------------------------------


def ticket_issue(
    *,
    hall,
    business_type,
    priority_kind: str = "",
    green_channel: bool = False,
    customer=None,
    appointment=None,
    idempotency_key: str | None = None,
    source: str = TicketSource.KIOSK,
    actor=None,
    needs_accompaniment: bool = False,
    needs_form_help: bool = False,
    needs_low_counter: bool = False,
) -> Ticket:
    """Issue the next number of the business's prefix for today (ENV-2.2); BIZ-4 priority, BIZ-1.2 green channel.

    A repeated ``idempotency_key`` (a double tap, a retried request) returns the ticket issued the first time.
    """
    if actor is not None:
        require(actor, "queue.issue", hall.pk)
    if idempotency_key:
        idempotency_key = str(idempotency_key)[:64]
        existing = Ticket.objects.filter(hall_id=hall.pk, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    priority_kind = priority_kind or ""
    if priority_kind not in PriorityKind.values:
        raise ServiceError("invalid_priority", _("优先类别不正确"), field="priority_kind")
    if source not in TicketSource.values:
        raise ServiceError("invalid_source", _("取号来源不正确"), field="source")
    bt = business_for_hall(hall, business_type)
    if green_channel:
        staff_confirmed = actor is not None and user_can(actor, "queue.greet", hall.pk)
        if not staff_confirmed and not (customer is not None and customer.has_green_channel):
            raise ServiceError(
                "green_channel_not_found", _("未找到有效的绿色通道协议"), field="green_channel"
            )
    if customer is not None and not priority_kind and customer.is_priority:
        priority_kind = (
            PriorityKind.ELDERLY
            if customer.is_elderly
            else PriorityKind.DISABLED
            if customer.is_disabled
            else PriorityKind.PREGNANT
        )
    try:
        with transaction.atomic():
            now = clock.now()
            service_date = timezone.localdate(now)
            seq = next_seq(hall.pk, service_date, bt.ticket_prefix)
            ticket = Ticket(
                hall_id=hall.pk,
                business_type=bt,
                service_date=service_date,
                prefix=bt.ticket_prefix,
                seq=seq,
                number=format_number(bt.ticket_prefix, seq),
                source=source,
                priority_kind=priority_kind,
                green_channel=green_channel,
                needs_accompaniment=needs_accompaniment,
                needs_form_help=needs_form_help,
                needs_low_counter=needs_low_counter,
                appointment=appointment,
                appt_window_start=appointment.slot_start if appointment is not None else None,
                appt_window_end=appointment.slot_end if appointment is not None else None,
                customer=customer,
                issued_at=now,
                arrival_at=now,
                idempotency_key=idempotency_key or None,
            )
            from queueing.selectors import estimate_wait

            # Estimated before the insert (the ticket is the newest arrival) so the row is written once.
            estimate = estimate_wait(ticket=ticket, now=now)
            ticket.estimated_wait_minutes = estimate["minutes"]
            rows.insert(ticket)  # the INSERT built once per process (lib.rows, issue 14)
            _event(
                ticket, TicketEventKind.ISSUED, at=now, actor=actor, source=source, ahead=estimate["ahead"]
            )
            _publish(hall.pk, "ticket.issued", ticket_public_data(ticket, waiting_ahead=estimate["ahead"]))
    except IntegrityError:
        if idempotency_key:
            existing = Ticket.objects.filter(hall_id=hall.pk, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return ticket
