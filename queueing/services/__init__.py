"""Queue workflows (ENV-2.2, BIZ-1, BIZ-2.2, BIZ-4). Stable API used by pages, the REST API, `floor` and the CLI.

Import from here (``from queueing.services import ticket_issue``); the submodules split the code by responsibility:
``issuing`` (numbering, issue), ``calling`` (call-next, recall, no-show), ``actions`` (reactivate, transfer,
suspend/resume, flag), ``handling`` (clock, finish, materials), ``counters``, ``day`` (day close), ``_common``.

Tickets
    ticket_issue(*, hall, business_type, priority_kind="", green_channel=False, customer=None, appointment=None,
                 idempotency_key=None, source="kiosk", actor=None, needs_accompaniment=False,
                 needs_form_help=False) -> Ticket
    green_channel_customer(*, mobile) -> Customer                   (BIZ-1.2, blind index; 400 if no agreement)
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
    supplement_sms_send(*, ticket, actor, mobile="")
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

from lib.errors import NotFound
from queueing.appointments import (  # re-exported: one import point for callers
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_sweep,
)
from queueing.services._common import (
    _counter_data,
    _event,
    _lock_counter,
    _publish,
    _require_any,
    _transition,
    business_for_hall,
    ceil_minutes,
    check_counter_ticket,
    ticket_public_data,
)
from queueing.services.actions import (
    ticket_flag,
    ticket_reactivate,
    ticket_resume,
    ticket_suspend,
    ticket_transfer,
)
from queueing.services.calling import call_candidates, ticket_call_next, ticket_no_show, ticket_recall
from queueing.services.counters import _counter_set, counter_close, counter_open, counter_pause
from queueing.services.day import queue_day_close
from queueing.services.handling import (
    handling_confirm_needs,
    handling_finish,
    handling_start,
    supplement_sms_send,
    supplement_sms_text,
)
from queueing.services.issuing import format_number, green_channel_customer, next_seq, ticket_issue

__all__ = [
    "NotFound",
    "business_for_hall",
    "call_candidates",
    "check_counter_ticket",
    "_counter_data",
    "_counter_set",
    "_event",
    "_lock_counter",
    "next_seq",
    "_publish",
    "_require_any",
    "_transition",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_sweep",
    "ceil_minutes",
    "counter_close",
    "counter_open",
    "counter_pause",
    "format_number",
    "green_channel_customer",
    "handling_confirm_needs",
    "handling_finish",
    "handling_start",
    "queue_day_close",
    "supplement_sms_send",
    "supplement_sms_text",
    "ticket_call_next",
    "ticket_flag",
    "ticket_issue",
    "ticket_no_show",
    "ticket_reactivate",
    "ticket_recall",
    "ticket_resume",
    "ticket_suspend",
    "ticket_transfer",
    "ticket_public_data",
]
