"""Timed handling (BIZ-2.2) and the materials check (BIZ-1.1): start, confirm needs, finish, SMS."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessCategory, RequiredMaterial
from halls.models import Counter
from lib.errors import Conflict, ServiceError
from queueing import clock
from queueing.models import (
    ClockMode,
    Outcome,
    Ticket,
    TicketEventKind,
    TicketStatus,
)
from queueing.services._common import (
    _event,
    _publish,
    _transition,
    businesses_of_hall,
    check_counter_ticket,
    ticket_public_data,
)
from queueing.signals import ticket_finished
from queueing.standard_memo import standard_at
from staff.access import require

OUTCOMES = frozenset(Outcome.values)  # ``Outcome.values`` builds the list (and the lazy labels) on every call

# --- handling (BIZ-2.2) --------------------------------------------------------------------------------------


def clock_mode_for(category: str, limit: int | None) -> str:
    """BIZ-2.2: no limit, no clock; complex business is timed from the confirmation, the rest from the start.

    Mirrored in queueing/hotpath/sql.py: START_SQL; the SQLite hot path calls it."""
    if not limit:
        return ClockMode.NONE
    return ClockMode.FROM_CONFIRM if category == BusinessCategory.COMPLEX else ClockMode.FROM_START


def within_limit(ticket: Ticket, now) -> bool | None:
    """BIZ-2.2 at finish (sets ``finished_at``): by the limit fixed at start, time suspended not counted; a complex
    business never confirmed is judged from the start. None without a limit.

    Mirrored in queueing/hotpath/sql.py: FINISH_SQL; the SQLite hot path calls it."""
    ticket.finished_at = now
    if not ticket.limit_minutes:
        return None
    clk = ticket.clock(now)
    if clk.running:
        return clk.seconds_left >= 0
    elapsed = (now - ticket.started_at).total_seconds() - ticket.suspended_seconds
    return elapsed <= ticket.limit_minutes * 60


def handling_start(*, ticket: Ticket, clerk, counter: Counter | None = None) -> Ticket:
    """The customer is at the counter. Basic business: the 15-minute clock starts now (receipt printing
    included); complex business waits for ``handling_confirm_needs``. Limits: the standard in force now.

    Mirrored in queueing/hotpath/sql.py: START_SQL."""
    check_counter_ticket(ticket, clerk, counter)
    with transaction.atomic():
        now = clock.now()
        standard = standard_at(now)
        bt = ticket.business_type
        limit = bt.time_limit(standard)
        mode = clock_mode_for(bt.category, limit)
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
    check_counter_ticket(ticket, clerk, counter)
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
    lines = [f"【{ticket.hall.name}】您办理的业务还需补充以下材料："]
    for i, m in enumerate(materials, 1):
        how = f"（{m.how_to_obtain}）" if m.how_to_obtain else ""
        lines.append(f"{i}. {m.name}{how}")
    lines.append("备齐后可预约回访办理，免排队。")
    return "\n".join(lines)


def handling_finish(
    *,
    ticket: Ticket,
    clerk,
    outcome: str,
    business_types,
    notes: str = "",
    missing_material_ids=(),
    brought_material_ids=None,
    counter: Counter | None = None,
) -> Ticket:
    """Finish the visit: business types handled (one visit may handle several), outcome, notes, missing materials
    （BIZ-1.1 → 《补充材料清单》） and ``within_limit`` judged by the limit fixed at start (BIZ-2.2).

    ``brought_material_ids`` (the console's materials check) derives the missing materials instead: every
    mandatory material of a handled business not brought is missing; "done" is then refused and only the outcome
    "materials missing" keeps the list.

    Mirrored in queueing/hotpath/sql.py: FINISH_SQL (without missing materials)."""
    check_counter_ticket(ticket, clerk, counter)
    if outcome not in OUTCOMES:
        raise ServiceError("invalid_outcome", _("办理结果不正确"), field="outcome")
    bt_ids = {getattr(b, "pk", b) for b in (business_types or [])}
    if not bt_ids:
        raise ServiceError("business_types_required", _("请选择本次办理的业务"), field="business_types")
    handled = businesses_of_hall(ticket.hall_id, bt_ids)
    if len(handled) != len(bt_ids):
        raise ServiceError("unknown_business", _("本厅不办理该业务"), field="business_types")
    if brought_material_ids is not None:
        brought = {int(m) for m in brought_material_ids}
        missing_material_ids = [
            pk
            for pk in RequiredMaterial.objects.filter(business_type_id__in=bt_ids, mandatory=True)
            .order_by("pk")
            .values_list("pk", flat=True)
            if pk not in brought
        ]
        if missing_material_ids and outcome == Outcome.DONE:
            raise ServiceError(
                "materials_missing_outcome",
                _("有必需材料未勾选，请选择「材料不全」或勾选已带材料"),
                field="outcome",
            )
        if outcome != Outcome.MATERIALS_MISSING:
            missing_material_ids = []
    missing_ids = {int(m) for m in missing_material_ids or ()}
    missing = (
        list(
            RequiredMaterial.objects.filter(pk__in=missing_ids, business_type_id__in=bt_ids).order_by(
                "business_type_id", "sort_order", "pk"
            )
        )
        if missing_ids
        else []  # the common case: building the (empty) query was a measurable share of finish (issue 14)
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
        within = within_limit(ticket, now)
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
        # A ticket is finished once (SERVING → DONE), so both sets start empty: add, no read-and-diff.
        ticket.handled_business_types.add(*handled)
        if missing:
            ticket.missing_materials.add(*missing)
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
        # After the commit, robustly: a receiver's failure never undoes a finish (SUP-1.2's invitation listens).
        transaction.on_commit(partial(ticket_finished.send, sender=Ticket, ticket_id=ticket.pk), robust=True)
    return ticket


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
                "how_to_obtain": "；".join(
                    f"{m.name}：{m.how_to_obtain}" for m in missing if m.how_to_obtain
                ),
            },
            dedupe_key=f"queue-supplement-{ticket.pk}",
        )
