"""Shared helpers of the queue services: events, publishing, conditional transitions, access checks."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import BusinessType
from halls.models import Counter
from lib import rows
from lib.errors import Conflict, Forbidden, ServiceError
from lib.memo import Memo
from queueing.models import (
    CounterState,
    Ticket,
    TicketEvent,
)
from staff.access import require, user_can


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
    event = TicketEvent(
        ticket=ticket,
        hall_id=ticket.hall_id,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        counter=counter,
        data=data,
    )
    rows.insert(event)  # every queue operation writes one: the INSERT built once per process (issue 14)


def _require_any(user, capabilities: Iterable[str], hall_id: int) -> None:
    caps = list(capabilities)
    if any(user_can(user, cap, hall_id) for cap in caps):
        return
    require(user, caps[0], hall_id)  # raises NotFound (other hall) or Forbidden (missing right)


def _transition(ticket: Ticket, expected: Iterable[str], **changes) -> None:
    """Conditional UPDATE: change the ticket only if it is still in one of the expected statuses.

    The in-memory ticket gets the new values directly (its cached business type and counter stay loaded, so callers
    publishing the event do not re-read them); only fields set from an expression (``F("recall_count") + 1``) are
    read back. No savepoint: every caller runs inside its own ``transaction.atomic()``, which a ``Conflict`` rolls
    back as a whole."""
    expected = list(expected)
    plain = not any(hasattr(value, "resolve_expression") for value in changes.values())
    try:
        with transaction.atomic(savepoint=False):
            # The common case (start, finish, …): the UPDATE built once per process (lib.rows, issue 14).
            if plain:
                updated = rows.update(Ticket, ticket.pk, only_if=("status", expected), **changes)
            else:
                updated = Ticket.objects.filter(pk=ticket.pk, status__in=expected).update(**changes)
    except IntegrityError:
        # ticket_one_active_per_counter: the counter got another active ticket meanwhile.
        raise Conflict("counter_busy", _("该窗口已有正在办理的号码"))
    if updated != 1:
        raise Conflict("ticket_state_changed", _("号码状态已变化，请刷新后重试"))
    computed = []
    for name, value in changes.items():
        if hasattr(value, "resolve_expression"):
            computed.append(name)
        else:
            setattr(ticket, name, value)
    if computed:
        ticket.refresh_from_db(fields=computed)


def check_counter_ticket(ticket: Ticket, clerk, counter: Counter | None) -> None:
    """A clerk acts on the ticket of their own counter (a supervisor may act on any counter of the hall).

    Mirrored in queueing/hotpath/sql.py: START_SQL; queueing/hotpath/sql.py: FINISH_SQL; queueing/hotpath/asgi.py: serve."""
    require(clerk, "queue.serve", ticket.hall_id)
    if counter is not None and ticket.counter_id != counter.pk:
        raise Forbidden("not_this_counter", _("该号码不在本窗口办理"))
    if (
        ticket.clerk_id
        and ticket.clerk_id != clerk.pk
        and not user_can(clerk, "queue.supervise", ticket.hall_id)
    ):
        raise Forbidden("not_your_ticket", _("该号码由其他营业员办理"))


# Which businesses a hall offers changes a few times a year but was read on every issue: memoised per process
# (lib.memo), forgotten when a business type or its halls change.
_businesses = Memo(
    "queueing.businesses",
    ttl=5.0,
    maxsize=10_000,
    models=("catalog.BusinessType", "catalog.BusinessType_halls"),
)


def business_for_hall(hall, business_type) -> BusinessType:
    bt_id = getattr(business_type, "pk", business_type)
    hall_id = getattr(hall, "pk", hall)
    bt = None
    if bt_id:
        bt = _businesses.get(
            (hall_id, bt_id),
            lambda: BusinessType.objects.filter(pk=bt_id, halls=hall_id, is_active=True).first(),
        )
    if bt is None:
        raise ServiceError("unknown_business", _("本厅不办理该业务"), field="business_type")
    return copy.copy(bt)  # callers hang related objects on it; the memoised one stays untouched


def businesses_of_hall(hall, bt_ids: Iterable[int]) -> list[BusinessType]:
    """The business types among ``bt_ids`` that the hall offers, active or not (what a finished visit may record as
    handled), from the same memo: finish read them on every call (issue 14)."""
    hall_id = getattr(hall, "pk", hall)

    def load(bt_id: int):
        return lambda: BusinessType.objects.filter(pk=bt_id, halls=hall_id).first()

    found = (_businesses.get(("offered", hall_id, bt_id), load(bt_id)) for bt_id in sorted(bt_ids))
    return [copy.copy(bt) for bt in found if bt is not None]


def _lock_counter(counter: Counter) -> tuple[Counter, CounterState]:
    """Serialise work on one counter: lock its queue state row and re-read its status, in one statement.

    Both rows are locked (``FOR NO KEY UPDATE OF`` state and counter, which leaves foreign-key checks of other
    tables unblocked) so that PostgreSQL re-reads the counter's latest status after waiting for the lock."""
    # By a statement built once per process (lib.rows; the ORM compiled it on every call-next, issue 14).
    state = rows.one(CounterState, related=("counter",), lock=True, counter_id=counter.pk)
    if state is None:  # first use of this counter
        CounterState.objects.get_or_create(counter_id=counter.pk, defaults={"hall_id": counter.hall_id})
        state = rows.one(CounterState, related=("counter",), lock=True, counter_id=counter.pk)
    # The whole row as it is now, not only its status: a caller may hand in a memoised counter (call-next, issue 14).
    fresh = state.counter
    for field in Counter._meta.concrete_fields:
        setattr(counter, field.attname, getattr(fresh, field.attname))
    return counter, state


def ceil_minutes(seconds: float) -> int:
    return max(0, math.ceil(seconds / 60))
