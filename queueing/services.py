"""Queue workflows (ENV-2.2, BIZ-1, BIZ-2.2, BIZ-4). Stable API used by pages, the REST API, `floor` and the CLI.

Tickets
    ticket_issue(*, hall, business_type, priority_kind="", green_channel=False, customer=None, appointment=None,
                 idempotency_key=None, source="kiosk", actor=None, needs_accompaniment=False,
                 needs_form_help=False) -> Ticket
    ticket_call_next(*, counter, clerk) -> Ticket | None
    ticket_recall(*, ticket, clerk, counter=None) -> Ticket          (after N recalls it turns into a no-show)
    ticket_no_show(*, ticket, clerk, counter=None) -> Ticket
    ticket_reactivate(*, ticket, actor) -> Ticket                     (within queue.reactivate_minutes)
    ticket_transfer(*, ticket, actor, business_type=None, counter=None) -> Ticket   (keeps arrival and priority)
    ticket_suspend(*, ticket, clerk, counter=None) -> Ticket
    ticket_resume(*, ticket, clerk, counter=None) -> Ticket
    ticket_flag(*, ticket, actor, priority_kind=None, needs_accompaniment=None, needs_form_help=None) -> Ticket
Handling (BIZ-2.2 clock, BIZ-1.1 materials)
    handling_start(*, ticket, clerk, counter=None) -> Ticket
    handling_confirm_needs(*, ticket, clerk, counter=None) -> Ticket
    handling_finish(*, ticket, clerk, outcome, business_types, notes="", missing_material_ids=(), counter=None) -> Ticket
Counters
    counter_open / counter_pause / counter_close(*, counter, actor, reason="") -> Counter
Day
    queue_day_close(*, hall, at=None) -> int
Appointments (queueing.appointments, re-exported here)
    appointment_book, appointment_check_in, appointment_cancel, appointment_sweep

Every actor-bearing call checks ``staff.access.require``; ``actor=None`` means a device or system path whose caller
(the API with a hall-bound device token, a management command) has already checked access. Every state change is a
conditional UPDATE on the expected status (0 rows -> ``Conflict``) and publishes one event to ``floor.bus`` after
commit; event data never carries personal information.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessCategory, BusinessType, RequiredMaterial
from halls.models import Counter, CounterStatus
from lib.errors import Conflict, Forbidden, NotFound, ServiceError
from queueing import clock
from queueing.models import (
    ACTIVE_STATUSES,
    ClockMode,
    CounterState,
    DailySequence,
    Outcome,
    PriorityKind,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketSource,
    TicketStatus,
)
from staff.access import require, user_can
from standard.services import standard_in_force

# --- helpers -------------------------------------------------------------------------------------------------


def _publish(hall_id: int, kind: str, data: dict) -> None:
    def send():
        from floor import bus

        bus.publish(hall_id=hall_id, kind=kind, data=data)

    transaction.on_commit(send)


def ticket_public_data(ticket: Ticket, counter: Counter | None = None, **extra) -> dict:
    """What screens may know about a ticket: number, counter, business — never who the customer is."""
    counter = counter if counter is not None else ticket.counter
    bt = ticket.business_type
    data = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "status": ticket.status,
        "business": bt.name,
        "business_en": bt.name_en,
        "priority": bool(ticket.priority_kind),
        "counter": counter.number if counter else None,
        "counter_label": str(counter) if counter else "",
        "recall": False,
    }
    data.update(extra)
    return data


def _counter_data(counter: Counter, **extra) -> dict:
    return {
        "counter_id": counter.pk,
        "counter": counter.number,
        "counter_label": str(counter),
        "status": counter.status,
        "pause_reason": counter.pause_reason,
        **extra,
    }


def _event(ticket: Ticket, kind: str, *, at, actor=None, counter=None, **data) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        hall_id=ticket.hall_id,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        counter=counter,
        data=data,
    )


def _require_any(user, capabilities: Iterable[str], hall_id: int) -> None:
    caps = list(capabilities)
    if any(user_can(user, cap, hall_id) for cap in caps):
        return
    require(user, caps[0], hall_id)  # raises NotFound (other hall) or Forbidden (missing right)


def _transition(ticket: Ticket, expected: Iterable[str], **changes) -> None:
    """Conditional UPDATE: change the ticket only if it is still in one of the expected statuses."""
    expected = list(expected)
    try:
        with transaction.atomic():
            updated = Ticket.objects.filter(pk=ticket.pk, status__in=expected).update(**changes)
    except IntegrityError:
        # ticket_one_active_per_counter: the counter got another active ticket meanwhile.
        raise Conflict("counter_busy", _("该窗口已有正在办理的号码"))
    if updated != 1:
        raise Conflict("ticket_state_changed", _("号码状态已变化,请刷新后重试"))
    ticket.refresh_from_db()


def _check_counter_ticket(ticket: Ticket, clerk, counter: Counter | None) -> None:
    """A clerk acts on the ticket of their own counter (a supervisor may act on any counter of the hall)."""
    require(clerk, "queue.serve", ticket.hall_id)
    if counter is not None and ticket.counter_id != counter.pk:
        raise Forbidden("not_this_counter", _("该号码不在本窗口办理"))
    if (
        ticket.clerk_id
        and ticket.clerk_id != clerk.pk
        and not user_can(clerk, "queue.supervise", ticket.hall_id)
    ):
        raise Forbidden("not_your_ticket", _("该号码由其他营业员办理"))


def _business_for_hall(hall, business_type) -> BusinessType:
    bt_id = getattr(business_type, "pk", business_type)
    bt = BusinessType.objects.filter(pk=bt_id, halls=hall, is_active=True).first() if bt_id else None
    if bt is None:
        raise ServiceError("unknown_business", _("本厅不办理该业务"), field="business_type")
    return bt


def _lock_counter(counter: Counter) -> tuple[Counter, CounterState]:
    """Serialise work on one counter: lock its queue state row and re-read its status."""
    state, _created = CounterState.objects.get_or_create(
        counter_id=counter.pk, defaults={"hall_id": counter.hall_id}
    )
    state = CounterState.objects.select_for_update().get(pk=state.pk)
    fresh = Counter.objects.get(pk=counter.pk)
    counter.status, counter.pause_reason = fresh.status, fresh.pause_reason
    return counter, state


# --- numbering -----------------------------------------------------------------------------------------------


def _next_seq(hall_id: int, service_date, prefix: str) -> int:
    """Gapless: the counter row is incremented in the ticket's own transaction (rolled back with it)."""
    rows = DailySequence.objects.filter(hall_id=hall_id, service_date=service_date, prefix=prefix)
    if rows.update(last_seq=F("last_seq") + 1) == 0:
        DailySequence.objects.bulk_create(
            [DailySequence(hall_id=hall_id, service_date=service_date, prefix=prefix, last_seq=0)],
            ignore_conflicts=True,
        )
        rows.update(last_seq=F("last_seq") + 1)
    # The UPDATE holds the row lock until commit, so this re-read sees our own increment.
    return rows.values_list("last_seq", flat=True).get()


def format_number(prefix: str, seq: int) -> str:
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
    bt = _business_for_hall(hall, business_type)
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
            seq = _next_seq(hall.pk, service_date, bt.ticket_prefix)
            ticket = Ticket.objects.create(
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
                appointment=appointment,
                appt_window_start=appointment.slot_start if appointment is not None else None,
                appt_window_end=appointment.slot_end if appointment is not None else None,
                customer=customer,
                issued_at=now,
                arrival_at=now,
                idempotency_key=idempotency_key or None,
            )
            from queueing.selectors import estimate_wait

            estimate = estimate_wait(ticket=ticket, now=now)
            ticket.estimated_wait_minutes = estimate["minutes"]
            Ticket.objects.filter(pk=ticket.pk).update(estimated_wait_minutes=estimate["minutes"])
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


# --- calling -------------------------------------------------------------------------------------------------


def _candidates(counter: Counter, state: CounterState, now):
    """Waiting tickets this counter may call, in calling order (docs/queueing.md, "Calling rules")."""
    qs = Ticket.objects.filter(
        hall_id=counter.hall_id, service_date=timezone.localdate(now), status=TicketStatus.WAITING
    )
    targeted = Q(target_counter_id=counter.pk)
    qs = qs.filter(Q(target_counter__isnull=True) | targeted)
    if not counter.serves_all:
        bt_ids = list(counter.business_types.values_list("pk", flat=True))
        qs = qs.filter(Q(business_type_id__in=bt_ids) | targeted)
    priority_first = state.normal_since_priority >= counter.priority_ratio_normal
    tier = Case(
        When(green_channel=True, then=Value(0)),
        When(appt_window_start__lte=now, appt_window_end__gte=now, then=Value(1)),
        When(~Q(priority_kind=""), then=Value(2 if priority_first else 3)),
        default=Value(3 if priority_first else 2),
        output_field=IntegerField(),
    )
    return qs.annotate(call_tier=tier).order_by("call_tier", "arrival_at", "pk")


def ticket_call_next(*, counter: Counter, clerk) -> Ticket | None:
    """Claim the next ticket for this counter in one atomic step; ``None`` when nobody waits for it.

    Two counters never get the same ticket (conditional UPDATE on ``status='waiting'``; on PostgreSQL the pick is
    ``FOR UPDATE SKIP LOCKED``), a counter holds at most one active ticket, a paused/closed counter cannot call.
    """
    require(clerk, "queue.serve", counter.hall_id)
    with transaction.atomic():
        counter, state = _lock_counter(counter)
        if counter.status != CounterStatus.OPEN:
            raise Conflict("counter_not_open", _("窗口未开放(暂停或关闭),不能叫号"))
        if Ticket.objects.filter(counter_id=counter.pk, status__in=ACTIVE_STATUSES).exists():
            raise Conflict("counter_busy", _("请先办结或处理当前号码,再叫下一位"))
        now = clock.now()
        candidates = _candidates(counter, state, now)
        picked = None
        for _attempt in range(8):
            if connection.vendor == "postgresql":
                row = (
                    candidates.select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", "call_tier", "priority_kind")
                    .first()
                )
            else:  # SQLite: BEGIN IMMEDIATE already serialises writers
                row = candidates.values_list("pk", "call_tier", "priority_kind").first()
            if row is None:
                return None
            updated = Ticket.objects.filter(pk=row[0], status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED,
                counter_id=counter.pk,
                clerk_id=clerk.pk,
                called_at=now,
                first_called_at=Coalesce(F("first_called_at"), Value(now)),
                recall_count=0,
                target_counter=None,
            )
            if updated == 1:
                picked = row
                break
        if picked is None:
            return None
        pk, tier, priority_kind = picked
        if priority_kind:
            state.normal_since_priority = 0
        elif tier >= 2:
            state.normal_since_priority = min(state.normal_since_priority + 1, 1_000)
        state.clerk_id = clerk.pk
        state.changed_at = now
        state.save(update_fields=["normal_since_priority", "clerk", "changed_at"])
        ticket = Ticket.objects.select_related("business_type", "counter").get(pk=pk)
        _event(ticket, TicketEventKind.CALLED, at=now, actor=clerk, counter=counter, tier=tier)
        _publish(ticket.hall_id, "ticket.called", ticket_public_data(ticket, counter))
    return ticket


def ticket_recall(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """重呼: call the same number again (counted). The recall after ``queue.recalls_before_no_show`` makes it a
    no-show instead."""
    _check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        limit = int(standard_in_force(at=now)["queue.recalls_before_no_show"])
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
    """过号: the customer did not come. The hall's missed-number rule lets them reactivate it for a while."""
    _check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        _transition(ticket, [TicketStatus.CALLED], status=TicketStatus.NO_SHOW, no_show_at=now)
        _event(
            ticket, TicketEventKind.NO_SHOW, at=now, actor=clerk, counter=ticket.counter, automatic=automatic
        )
        _publish(ticket.hall_id, "ticket.no_show", ticket_public_data(ticket, automatic=automatic))
    return ticket


def ticket_reactivate(*, ticket: Ticket, actor) -> Ticket:
    """Put a no-show back in the queue at its original arrival time, within ``queue.reactivate_minutes``."""
    _require_any(actor, ["queue.greet", "queue.serve"], ticket.hall_id)
    with transaction.atomic():
        now = clock.now()
        minutes = int(standard_in_force(at=now)["queue.reactivate_minutes"])
        if ticket.status != TicketStatus.NO_SHOW:
            raise Conflict("ticket_state_changed", _("只有过号的号码可以重新激活"))
        if ticket.no_show_at and (now - ticket.no_show_at).total_seconds() > minutes * 60:
            raise ServiceError("reactivate_expired", _("已超过过号重新激活的时限,请重新取号"))
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
    if business_type is None and counter is None:
        raise ServiceError("transfer_target_required", _("请选择转移到的业务或窗口"), field="business_type")
    with transaction.atomic():
        now = clock.now()
        bt = (
            _business_for_hall(ticket.hall, business_type)
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
            [TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.SUSPENDED],
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
    """挂起: the customer steps away to fetch a document; the counter may serve others meanwhile."""
    _check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        _transition(ticket, ACTIVE_STATUSES, status=TicketStatus.SUSPENDED, suspended_at=now)
        _event(ticket, TicketEventKind.SUSPENDED, at=now, actor=clerk, counter=ticket.counter)
        _publish(ticket.hall_id, "ticket.suspended", ticket_public_data(ticket))
    return ticket


def ticket_resume(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """回呼: call a suspended customer back to the same counter; the clock resumes where it stopped."""
    _check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        if ticket.counter_id is None:
            raise Conflict("ticket_state_changed", _("号码状态已变化,请刷新后重试"))
        _lock_counter(ticket.counter)
        if Ticket.objects.filter(counter_id=ticket.counter_id, status__in=ACTIVE_STATUSES).exists():
            raise Conflict("counter_busy", _("请先办结或处理当前号码,再回呼挂起的号码"))
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
) -> Ticket:
    """BIZ-4: a greeter or clerk marks priority, accompaniment or help with forms."""
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


# --- handling (BIZ-2.2) --------------------------------------------------------------------------------------


def handling_start(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """The customer is at the counter. Basic business: the 15-minute clock starts now (receipt printing
    included); complex business waits for ``handling_confirm_needs``. Limits: the standard in force now."""
    _check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        standard = standard_in_force(at=now)
        bt = ticket.business_type
        limit = bt.time_limit(standard)
        mode = ClockMode.NONE
        if limit:
            mode = ClockMode.FROM_CONFIRM if bt.category == BusinessCategory.COMPLEX else ClockMode.FROM_START
        _transition(
            ticket,
            [TicketStatus.CALLED],
            status=TicketStatus.SERVING,
            started_at=now,
            clock_mode=mode,
            limit_minutes=limit,
            warn_share=float(standard.get("handling.warn_share", 0.8)),
            standard_version=standard.version.number,
        )
        _event(ticket, TicketEventKind.STARTED, at=now, actor=clerk, counter=ticket.counter, limit=limit)
        _publish(ticket.hall_id, "ticket.started", ticket_public_data(ticket, limit_minutes=limit))
    return ticket


def handling_confirm_needs(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """Complex business (BIZ-2.2): the customer confirmed what they want; the 30-minute core clock starts."""
    _check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        if ticket.confirmed_at is not None:
            raise Conflict("already_confirmed", _("客户需求已确认"))
        now = clock.now()
        _transition(ticket, [TicketStatus.SERVING], confirmed_at=now)
        _event(ticket, TicketEventKind.CONFIRMED, at=now, actor=clerk, counter=ticket.counter)
        _publish(ticket.hall_id, "ticket.confirmed", ticket_public_data(ticket))
    return ticket


def supplement_sms_text(ticket: Ticket, materials: list[RequiredMaterial]) -> str:
    """The 《补充材料清单》 as a short SMS (BIZ-1.1): item names and how to obtain them, no personal data."""
    lines = [f"【{ticket.hall.name}】您办理的业务还需补充以下材料:"]
    for i, m in enumerate(materials, 1):
        how = f"({m.how_to_obtain})" if m.how_to_obtain else ""
        lines.append(f"{i}. {m.name}{how}")
    lines.append("备齐后可预约回访办理,免排队。")
    return "\n".join(lines)


def handling_finish(
    *,
    ticket: Ticket,
    clerk,
    outcome: str,
    business_types,
    notes: str = "",
    missing_material_ids=(),
    counter: Counter | None = None,
) -> Ticket:
    """Finish the visit: business types handled (one visit may handle several), outcome, notes, missing materials
    (BIZ-1.1 → 《补充材料清单》) and ``within_limit`` judged by the limit fixed at start (BIZ-2.2)."""
    _check_counter_ticket(ticket, clerk, counter)
    if outcome not in Outcome.values:
        raise ServiceError("invalid_outcome", _("办理结果不正确"), field="outcome")
    bt_ids = {getattr(b, "pk", b) for b in (business_types or [])}
    if not bt_ids:
        raise ServiceError("business_types_required", _("请选择本次办理的业务"), field="business_types")
    handled = list(BusinessType.objects.filter(pk__in=bt_ids, halls=ticket.hall_id))
    if len(handled) != len(bt_ids):
        raise ServiceError("unknown_business", _("本厅不办理该业务"), field="business_types")
    missing_ids = {int(m) for m in missing_material_ids or ()}
    missing = list(
        RequiredMaterial.objects.filter(pk__in=missing_ids, business_type_id__in=bt_ids).order_by(
            "business_type_id", "sort_order", "pk"
        )
    )
    if len(missing) != len(missing_ids):
        raise ServiceError(
            "unknown_material", _("所选材料不属于本次办理的业务"), field="missing_material_ids"
        )
    if outcome == Outcome.MATERIALS_MISSING and not missing:
        raise ServiceError(
            "missing_materials_required", _("请勾选客户缺少的材料"), field="missing_material_ids"
        )
    with transaction.atomic():
        now = clock.now()
        ticket.finished_at = now
        clk = ticket.clock(now)
        within = None
        if ticket.limit_minutes:
            if clk.running:
                within = clk.seconds_left >= 0
            else:  # complex business finished without an explicit confirmation: judge from the start
                elapsed = (now - ticket.started_at).total_seconds() - ticket.suspended_seconds
                within = elapsed <= ticket.limit_minutes * 60
        ticket.hall  # noqa: B018 - loaded for the SMS header
        sms = supplement_sms_text(ticket, missing) if missing else ""
        _transition(
            ticket,
            [TicketStatus.SERVING],
            status=TicketStatus.DONE,
            finished_at=now,
            outcome=outcome,
            notes=notes or "",
            within_limit=within,
            supplement_sms_text=sms,
        )
        ticket.handled_business_types.set(handled)
        ticket.missing_materials.set(missing)
        _event(
            ticket,
            TicketEventKind.FINISHED,
            at=now,
            actor=clerk,
            counter=ticket.counter,
            outcome=outcome,
            within_limit=within,
            missing=[m.pk for m in missing],
        )
        _publish(ticket.hall_id, "ticket.finished", ticket_public_data(ticket, outcome=outcome))
    return ticket


# --- counters ------------------------------------------------------------------------------------------------


def _counter_set(counter: Counter, actor, *, status: str, reason: str = "", expected=None) -> Counter:
    require(actor, "queue.serve", counter.hall_id)
    with transaction.atomic():
        counter, state = _lock_counter(counter)
        if expected is not None and counter.status not in expected:
            raise Conflict("counter_state_changed", _("窗口状态已变化,请刷新后重试"))
        if (
            status == CounterStatus.CLOSED
            and Ticket.objects.filter(counter_id=counter.pk, status__in=ACTIVE_STATUSES).exists()
        ):
            raise Conflict("counter_busy", _("窗口还有正在办理的号码,请先办结"))
        Counter.objects.filter(pk=counter.pk).update(status=status, pause_reason=reason)
        counter.status, counter.pause_reason = status, reason
        state.clerk_id = None if status == CounterStatus.CLOSED else actor.pk
        state.changed_at = clock.now()
        state.save(update_fields=["clerk", "changed_at"])
        _publish(counter.hall_id, "counter.changed", _counter_data(counter))
    return counter


def counter_open(*, counter: Counter, actor, reason: str = "") -> Counter:
    return _counter_set(counter, actor, status=CounterStatus.OPEN)


def counter_pause(*, counter: Counter, actor, reason: str = "") -> Counter:
    """Pause calling (the current customer may still be finished); a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写暂停原因"), field="reason")
    return _counter_set(
        counter, actor, status=CounterStatus.PAUSED, reason=reason[:200], expected=[CounterStatus.OPEN]
    )


def counter_close(*, counter: Counter, actor, reason: str = "") -> Counter:
    return _counter_set(counter, actor, status=CounterStatus.CLOSED, reason=(reason or "")[:200])


# --- day close -----------------------------------------------------------------------------------------------


def queue_day_close(*, hall, at=None) -> int:
    """Close every ticket still waiting (or suspended, or a no-show that can no longer be reactivated) at closing
    time, with a reason. Returns how many were closed. Safe to run twice."""
    at = at or clock.now()
    reason = "营业结束,号码自动关闭"
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


def ceil_minutes(seconds: float) -> int:
    return max(0, math.ceil(seconds / 60))


from queueing.appointments import (  # noqa: E402  re-exported: one import point for callers
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_sweep,
)

__all__ = [
    "NotFound",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_sweep",
    "counter_close",
    "counter_open",
    "counter_pause",
    "handling_confirm_needs",
    "handling_finish",
    "handling_start",
    "queue_day_close",
    "ticket_call_next",
    "ticket_flag",
    "ticket_issue",
    "ticket_no_show",
    "ticket_reactivate",
    "ticket_recall",
    "ticket_resume",
    "ticket_suspend",
    "ticket_transfer",
]


def supplement_sms_send(*, ticket: Ticket, actor, mobile: str = ""):
    """BIZ-1.1: send the 《补充材料清单》 by SMS through the notification outbox (once per ticket)."""
    require(actor, "queue.serve", ticket.hall_id)
    missing = list(
        ticket.missing_materials.select_related("business_type").order_by("business_type_id", "sort_order")
    )
    if not missing:
        raise ServiceError("no_missing_materials", _("本次办理没有缺少的材料"))
    if not mobile and ticket.customer_id:
        mobile = ticket.customer.mobile
    if not mobile:
        raise ServiceError("mobile_required", _("请输入客户手机号"), field="mobile")
    from notify.services import notification_enqueue
    from privacy.services import validate_phone

    mobile = validate_phone(mobile)
    business = "、".join(sorted({m.business_type.name for m in missing}))
    with transaction.atomic():
        return notification_enqueue(
            hall=ticket.hall,
            channel="sms",
            recipient=mobile,
            template="missing_materials_sms",
            context={
                "hall_name": ticket.hall.name,
                "business": business,
                "items": "、".join(m.name for m in missing),
                "how_to_obtain": ";".join(f"{m.name}:{m.how_to_obtain}" for m in missing if m.how_to_obtain),
            },
            dedupe_key=f"queue-supplement-{ticket.pk}",
        )
