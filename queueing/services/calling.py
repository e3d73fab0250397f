"""Calling (docs/queueing.md "Calling rules"): call-next as one atomic claim, recall, no-show."""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessType
from halls.models import Counter, CounterStatus
from lib import rows
from lib.errors import Conflict
from lib.prepared import Prepared
from queueing import clock
from queueing.models import (
    CounterState,
    Ticket,
    TicketEventKind,
    TicketStatus,
)
from queueing.services._common import (
    _event,
    _lock_counter,
    _publish,
    _transition,
    check_counter_ticket,
    ticket_public_data,
)
from queueing.standard_memo import standard_at
from staff.access import require

# --- calling -------------------------------------------------------------------------------------------------


def priority_first_now(counter: Counter, state: CounterState) -> bool:
    """BIZ-4: the default profile calls priority customers first; the "ratio" profile once its count is reached.

    Mirrored in queueing/hotpath/sql.py: CALL_SQL (``pfirst``); queueing/hotpath/lite.py computes it the same way."""
    return counter.priority_first or state.normal_since_priority >= counter.priority_ratio_normal


def call_candidates(counter: Counter, state: CounterState, now):
    """Waiting tickets this counter may call, in calling order (docs/queueing.md, "Calling rules").

    Mirrored in queueing/hotpath/sql.py: CALL_SQL (the ``pick`` step)."""
    return calling_order(
        counter.serves_all,
        counter.is_accessible,
        priority_first_now(counter, state),
        hall_id=counter.hall_id,
        counter_id=counter.pk,
        today=timezone.localdate(now),
        now=now,
    )


def calling_order(
    serves_all: bool, is_accessible: bool, priority_first: bool, *, hall_id, counter_id, today, now
):
    """The calling rules as one queryset: the counter's flags shape it, the rest are its values (``_PICK``).

    Mirrored in queueing/hotpath/sql.py: CALL_SQL (the ``pick`` step)."""
    qs = Ticket.objects.filter(hall_id=hall_id, service_date=today, status=TicketStatus.WAITING)
    targeted = Q(target_counter_id=counter_id)
    qs = qs.filter(Q(target_counter__isnull=True) | targeted)
    if not serves_all:
        served = Counter.business_types.through.objects.filter(counter_id=counter_id).values(
            "businesstype_id"
        )
        qs = qs.filter(Q(business_type_id__in=served) | targeted)
    # BIZ-4: the default profile calls waiting priority customers first; the "ratio" profile lets
    # ``priority_ratio_normal`` normal tickets through between two priority ones (``priority_first`` once reached).
    if not is_accessible:
        # BIZ-4 / issue 10 §6: while a low counter of the hall is open, wheelchair users wait for it (unless sent
        # to this counter); with none open any counter calls them.
        low_open = Counter.objects.filter(hall_id=hall_id, is_accessible=True, status=CounterStatus.OPEN)
        qs = qs.filter(Q(needs_low_counter=False) | targeted | ~Exists(low_open))
    tier = Case(
        When(green_channel=True, then=Value(0)),
        When(appt_window_start__lte=now, appt_window_end__gte=now, then=Value(1)),
        When(~Q(priority_kind=""), then=Value(2 if priority_first else 3)),
        default=Value(3 if priority_first else 2),
        output_field=IntegerField(),
    )
    return qs.annotate(call_tier=tier).order_by("call_tier", "arrival_at", "pk")


def _pick_queryset(serves_all, is_accessible, priority_first, for_update, *, hall_id, counter_id, today, now):
    """Call-next's pick: the first candidate, with its business type, while this counter holds no active ticket.

    "No active ticket here" rides in the pick itself (a separate EXISTS cost a query per call); it is a new
    statement after the counter lock, so it sees every commit of the previous holder.

    Mirrored in queueing/hotpath/sql.py: CALL_SQL (the ``pick`` step)."""
    active_here = Ticket.objects.active().filter(counter_id=counter_id)
    qs = calling_order(
        serves_all,
        is_accessible,
        priority_first,
        hall_id=hall_id,
        counter_id=counter_id,
        today=today,
        now=now,
    )
    qs = qs.filter(~Exists(active_here)).select_related("business_type")
    if for_update:  # PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return qs[:1]


# Compiled once per shape and process (lib.prepared): building and compiling the pick was over half of call-next's
# CPU on Django's path (issue 14).
_PICK = Prepared(_pick_queryset, inputs={"hall_id": int, "counter_id": int, "today": date, "now": datetime})
_TICKET_COLUMNS = rows.width(Ticket)


def _pick(counter: Counter, state: CounterState, now) -> Ticket | None:
    """The pick's row as a ticket with ``call_tier`` and its business type (``select_related``'s layout: the
    ticket's columns, the annotation, the business type's columns)."""
    shape = (
        counter.serves_all,
        counter.is_accessible,
        priority_first_now(counter, state),
        connection.vendor == "postgresql",
    )
    values = {
        "hall_id": counter.hall_id,
        "counter_id": counter.pk,
        "today": timezone.localdate(now),
        "now": now,
    }
    sql, params = _PICK.statement(shape, **values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    # The layout read below (tests/queueing/test_call_pick_prepared.py checks it for every shape).
    if len(row) != _TICKET_COLUMNS + 1 + rows.width(BusinessType):
        raise RuntimeError("call-next's pick: unexpected columns")
    ticket = rows.hydrate(Ticket, row[:_TICKET_COLUMNS])
    ticket.call_tier = row[_TICKET_COLUMNS]
    Ticket.business_type.field.set_cached_value(
        ticket, rows.hydrate(BusinessType, row[_TICKET_COLUMNS + 1 :])
    )
    return ticket


def next_normal_since_priority(current: int, *, priority_kind: str, tier: int) -> int:
    """BIZ-4's ratio counter after a call: a priority customer resets it, a normal one (tier 2 or 3) moves it on.

    Mirrored in queueing/hotpath/sql.py: CALL_SQL (the ``sup`` step); the SQLite hot path calls it."""
    if priority_kind:
        return 0
    return min(current + 1, 1_000) if tier >= 2 else current


def ticket_call_next(*, counter: Counter, clerk) -> Ticket | None:
    """Claim the next ticket for this counter in one atomic step; ``None`` when nobody waits for it.

    Two counters never get the same ticket (conditional UPDATE on ``status='waiting'``; on PostgreSQL the pick is
    ``FOR UPDATE SKIP LOCKED``), a counter holds at most one active ticket, a paused/closed counter cannot call.

    Mirrored in queueing/hotpath/sql.py: CALL_SQL (claim, ratio counter, event).
    """
    require(clerk, "queue.serve", counter.hall_id)
    with transaction.atomic():
        counter, state = _lock_counter(counter)
        if counter.status != CounterStatus.OPEN:
            raise Conflict("counter_not_open", _("窗口未开放（暂停或关闭），不能叫号"))
        now = clock.now()
        ticket = None
        for _attempt in range(8):
            row = _pick(counter, state, now)
            if row is None:
                # An empty pick: "busy" told from "nobody waiting" with the EXISTS, off the common path.
                if Ticket.objects.active().filter(counter_id=counter.pk).exists():
                    raise Conflict("counter_busy", _("请先办结或处理当前号码，再叫下一位"))
                return None
            # The claim, by a statement built once (lib.rows). ``first_called_at`` as read by the pick: the row is
            # locked since (FOR UPDATE on PostgreSQL, SQLite's one writer), so it is the value a COALESCE would see.
            updated = rows.update(
                Ticket,
                row.pk,
                only_if=("status", (TicketStatus.WAITING,)),
                status=TicketStatus.CALLED,
                counter_id=counter.pk,
                clerk_id=clerk.pk,
                called_at=now,
                first_called_at=row.first_called_at or now,
                recall_count=0,
                target_counter_id=None,
            )
            if updated == 1:
                ticket = row
                break
        if ticket is None:
            return None
        # The row is ours now: mirror the UPDATE in memory instead of reading it back.
        ticket.status, ticket.counter, ticket.clerk_id = TicketStatus.CALLED, counter, clerk.pk
        ticket.called_at, ticket.first_called_at = now, ticket.first_called_at or now
        ticket.recall_count, ticket.target_counter = 0, None
        tier = ticket.call_tier
        state.normal_since_priority = next_normal_since_priority(
            state.normal_since_priority, priority_kind=ticket.priority_kind, tier=tier
        )
        state.clerk_id = clerk.pk
        state.changed_at = now
        rows.save_fields(state, ("normal_since_priority", "clerk", "changed_at"))  # built once (issue 14)
        _event(ticket, TicketEventKind.CALLED, at=now, actor=clerk, counter=counter, tier=tier)
        _publish(ticket.hall_id, "ticket.called", ticket_public_data(ticket, counter))
    return ticket


def ticket_recall(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """重呼： call the same number again (counted). The recall after ``queue.recalls_before_no_show`` makes it a
    no-show instead."""
    check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        limit = int(standard_at(now)["queue.recalls_before_no_show"])
        if ticket.status == TicketStatus.CALLED and ticket.recall_count >= limit:
            return ticket_no_show(ticket=ticket, clerk=clerk, counter=counter, automatic=True)
        _transition(ticket, [TicketStatus.CALLED], recall_count=F("recall_count") + 1, called_at=now)
        _event(
            ticket,
            TicketEventKind.RECALLED,
            at=now,
            actor=clerk,
            counter=ticket.counter,
            n=ticket.recall_count,
        )
        _publish(
            ticket.hall_id,
            "ticket.recalled",
            ticket_public_data(ticket, recall=True, recall_count=ticket.recall_count),
        )
    return ticket


def ticket_no_show(
    *, ticket: Ticket, clerk, counter: Counter | None = None, automatic: bool = False
) -> Ticket:
    """过号： the customer did not come. The hall's missed-number rule lets them reactivate it for a while."""
    check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        _transition(ticket, [TicketStatus.CALLED], status=TicketStatus.NO_SHOW, no_show_at=now)
        _event(
            ticket, TicketEventKind.NO_SHOW, at=now, actor=clerk, counter=ticket.counter, automatic=automatic
        )
        _publish(ticket.hall_id, "ticket.no_show", ticket_public_data(ticket, automatic=automatic))
    return ticket
