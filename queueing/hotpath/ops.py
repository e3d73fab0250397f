"""The four hot operations, each one PostgreSQL statement (``sql.py``) run on the event loop (``db.py``).

Each function does what its service in ``queueing.services`` does for the common case — same rows, same events,
same realtime message, same response — and raises ``Fallback`` *before changing anything* for every other case, so
that Django's full path (the service) answers it, errors included. Only the common case is duplicated here; the
differential tests (tests/queueing/test_hot_path_http.py) run one scripted day both ways and compare every row.

Why statements and not the ORM: a Django request with the ORM costs tens of times the CPU of one prepared statement
with data-modifying CTEs and one round trip (figures: docs/performance.md; design: docs/queueing.md, "Hot path").
"""

from __future__ import annotations

import functools
import logging
import os
import types
import typing
from types import SimpleNamespace

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.base import ModelState
from django.utils import timezone

from catalog.models import BusinessType
from halls.models import Counter, CounterStatus
from lib.memo import Memo
from queueing import clock
from queueing.hotpath.sql import ATTNAMES, CALL_SQL, COLUMNS, FIELDS, FINISH_SQL, ISSUE_SQL, START_SQL
from queueing.models import (
    Outcome,
    PriorityKind,
    Ticket,
    new_public_token,
)

logger = logging.getLogger(__name__)


class Fallback(Exception):  # noqa: N818 - a signal to the caller, not an error
    """Not the common case: let Django's full path (the service) handle this request."""


POST_COMMIT_TRIES = 5  # look-ups after the statement committed: each waits up to the pool's timeout
CONVERTED = [(i, f) for i, f in enumerate(FIELDS) if hasattr(f, "from_db_value")]  # the encrypted notes


async def _fetch(sql: str, params: dict) -> dict | None:
    """One prepared statement on the hot path's async connections; a failed statement changed nothing."""
    from queueing.hotpath import db

    try:
        return await db.fetch(sql, params)
    except db.integrity_error():
        # A unique index said no — a repeated idempotency key (the service returns the first ticket), a double
        # click on call-next (the service says the counter is busy): the statement changed nothing, Django answers.
        raise Fallback from None
    except db.errors():
        logger.warning("hot path: database error, handing the request to Django", exc_info=True)
        raise Fallback from None


def sqlite() -> bool:
    """This process runs on SQLite: the operations run in ``lite`` (several statements in one write transaction)."""
    return settings.DATABASES["default"]["ENGINE"] == "tingwu.db.sqlite3"


STATEMENTS = {"issue": ISSUE_SQL, "call_next": CALL_SQL, "start": START_SQL, "finish": FINISH_SQL}


async def _run(op: str, params: dict) -> dict | None:
    """The operation's statement on PostgreSQL, its transaction on SQLite; the same row either way."""
    if sqlite():
        from queueing.hotpath import lite

        return await lite.run(op, params)
    return await _fetch(STATEMENTS[op], params)


class Overloaded(Exception):  # noqa: N818 - a signal to the caller, not an error
    """No database turn for a look-up before the statement (nothing changed): the caller answers 503."""


async def sync(fn, *args, committed: bool = False):
    """Call a memoised Django helper from the event loop; on a memo miss it wants the ORM, which Django refuses
    in an event loop (``SynchronousOnlyOperation``, raised before any query): then run it in a thread.

    That thread takes a connection from Django's pool, so it waits its turn with Django's requests
    (``tingwu.overload.admitted``). Before the statement (``committed=False``) a turn that does not come, or a pool
    timeout, raises ``Overloaded`` (a 503: nothing was changed). After it, the operation has committed and its answer
    must not be lost: wait on and try again."""
    from asgiref.sync import sync_to_async
    from django.core.exceptions import SynchronousOnlyOperation

    from tingwu import overload

    try:
        value = fn(*args)
    except SynchronousOnlyOperation:

        def in_thread():
            try:
                return fn(*args)
            finally:
                connection.close()  # back to Django's pool

        for attempt in range(POST_COMMIT_TRIES if committed else 1):
            async with overload.admitted(wait=None if committed else overload.DEFAULT_WAIT) as ok:
                if not ok:
                    raise Overloaded
                try:
                    return await sync_to_async(in_thread, thread_sensitive=False)()
                except Exception as exc:
                    if not overload.is_overload(exc):
                        raise
                    logger.warning("hot path: no connection for %s (try %d)", fn.__name__, attempt + 1)
                    if not committed:
                        raise Overloaded from exc
        raise Overloaded
    if os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") and connection.connection is not None:
        # Only where DJANGO_ALLOW_ASYNC_UNSAFE lets the ORM run on the loop (the browser tests set it): give the
        # connection back to Django's pool instead of keeping it in this thread. (Checked first: reaching
        # ``connection`` from a request's task builds a new connection wrapper for that task.)
        connection.close()
    return value


def ticket_from_row(row: dict) -> Ticket:
    """The model instance for a ``RETURNING t.*`` row, without ``Model.__init__`` (a quarter of this path's CPU):
    what ``from_db`` does, attribute by attribute."""
    ticket = Ticket.__new__(Ticket)
    ticket._state = ModelState()
    ticket._state.adding, ticket._state.db = False, DEFAULT_DB_ALIAS  # the hot path's database (db.py)
    values = ticket.__dict__
    for column, attname in zip(COLUMNS, ATTNAMES, strict=True):
        values[attname] = row[column]
    for _i, f in CONVERTED:
        if values[f.attname]:  # an empty note stays empty (and needs no connection wrapper for this task)
            values[f.attname] = f.from_db_value(values[f.attname], None, connection)
    return ticket


# --- memos of slow-moving rows: counters and business types (labels for screens and responses) -----------------
_counters = Memo(
    "hotpath.counters", ttl=5.0, maxsize=10_000, models=("halls.Counter", "catalog.BusinessType")
)
_businesses = Memo(
    "hotpath.businesses", ttl=5.0, maxsize=10_000, models=("halls.Counter", "catalog.BusinessType")
)


def forget_rows(**_kwargs) -> None:
    _counters.forget()
    _businesses.forget()


def counter_row(counter_id: int) -> Counter | None:
    return _counters.get(counter_id, lambda: Counter.objects.filter(pk=counter_id).first())


def business_row(bt_id: int) -> BusinessType | None:
    return _businesses.get(bt_id, lambda: BusinessType.objects.filter(pk=bt_id).first())


async def _attach(ticket: Ticket, counter: Counter | None = None) -> Ticket:
    """Hang the memoised business type (and counter) on the ticket, as the services' select_related does."""
    ticket.business_type = await sync(business_row, ticket.business_type_id, committed=True)
    if counter is not None:
        ticket.counter = counter
    return ticket


# --- request bodies: the API's own schemas (IssueIn, FinishIn), read once ---------------------------------------


@functools.cache
def shapes() -> dict[str, dict[str, tuple[type, ...]]]:
    """For each body the hot path reads: field → the JSON types its schema accepts without coercion."""
    import tingwu.api  # noqa: F401 - builds the API before its modules are imported one by one (its import cycle)
    from queueing.api.desk import FinishIn
    from queueing.api.devices import IssueIn

    return {"issue": _schema_shape(IssueIn), "finish": _schema_shape(FinishIn)}


def _schema_shape(schema) -> dict[str, tuple[type, ...]]:
    out = {}
    for name, field in schema.model_fields.items():
        kinds = typing.get_args(field.annotation) if typing.get_origin(field.annotation) in UNIONS else ()
        out[name] = tuple(typing.get_origin(k) or k for k in kinds or (field.annotation,))
        assert set(out[name]) <= {int, str, bool, list, type(None)}, f"{schema.__name__}.{name}: teach _shape"
    return out


UNIONS = (typing.Union, types.UnionType)


def max_length(schema_name: str, field: str) -> int | None:
    from queueing.api.devices import IssueIn

    schema = {"IssueIn": IssueIn}[schema_name]
    return next((m.max_length for m in schema.model_fields[field].metadata if hasattr(m, "max_length")), None)


def _shape(body: dict, shape: dict, *, required: set[str]) -> bool:
    """True when every key is known, has exactly an accepted JSON type (``bool`` is not an ``int`` here) and lists
    hold integers only."""
    if not required <= body.keys():
        return False
    for key, value in body.items():
        types_ = shape.get(key)
        if types_ is None or type(value) not in types_:
            return False
        if type(value) is list and not all(type(v) is int for v in value):
            return False
    return True


# --- issue (kiosk / APP / WeCom device) -------------------------------------------------------------------------


async def issue(
    *, token_hall_id: int, token_kind: str, body: dict, credentials: int | None = None
) -> tuple[int, Ticket, dict]:
    """``ticket_issue`` for a device (no staff actor, no customer, no green channel, no appointment)."""
    from lib.errors import ServiceError
    from queueing.api.devices import ISSUE_KINDS, issue_source
    from queueing.opening import kiosk_may_issue
    from queueing.selectors import mean_service_minutes, open_counters_for
    from queueing.services._common import business_for_hall

    # Exactly the JSON types the API schema (IssueIn) takes without coercion; anything else — a null, a string
    # for a number, an unknown key — is Django's to accept, coerce or refuse with its 422.
    if token_kind not in ISSUE_KINDS or not _shape(body, shapes()["issue"], required={"business_type_id"}):
        raise Fallback
    bt_id = body["business_type_id"]
    priority = body.get("priority_kind", "")
    key = body.get("idempotency_key")
    flags = (body.get("needs_accompaniment", False), body.get("needs_form_help", False))
    if (
        body.get("green_channel_mobile")
        or body.get("needs_low_counter")  # BIZ-4 accessible counter: Django stores the flag
        or priority not in PriorityKind.values
        or not (key is None or 0 < len(key) <= max_length("IssueIn", "idempotency_key"))
        or clock.is_simulated()
    ):
        raise Fallback
    try:
        bt = await sync(business_for_hall, token_hall_id, bt_id)
    except ServiceError:
        raise Fallback from None
    source = issue_source(token_kind)
    now = clock.now()
    if not await sync(kiosk_may_issue, token_hall_id, now):
        raise Fallback  # outside opening hours: Django answers the 409 hall_closed (queueing.opening)
    service_date = timezone.localdate(now)
    # What the wait estimate's helpers read of the ticket being issued (cheaper than building a model instance).
    ticket = SimpleNamespace(
        hall_id=token_hall_id,
        business_type=bt,
        business_type_id=bt.pk,
        target_counter_id=None,
        service_date=service_date,
    )
    serving, competing = await sync(open_counters_for, ticket)
    mean = await sync(mean_service_minutes, ticket, now)
    busy = sum(1 for c in serving if c[3])
    params = {
        "hall": token_hall_id,
        "bt": bt.pk,
        "date": service_date,
        "prefix": bt.ticket_prefix,
        "source": source,
        "priority_kind": priority,
        "accompany": flags[0],
        "form_help": flags[1],
        "now": now,
        "public_token": new_public_token(),
        "key": key or None,
        "category": bt.category,
        "all_types": competing is None,
        "competing": sorted(competing or ()),
        "residual": 0.5 if serving and busy >= len(serving) else 0.0,
        "servers": max(1, len(serving)),
        "mean": float(mean),
        "serving": serving,
        "credentials": credentials,
    }
    row = await _run("issue", params)
    issued = ticket_from_row(row)
    issued.business_type = bt
    ahead = row["n"]
    return 201, issued, {"kind": "ticket.issued", "extra": {"waiting_ahead": ahead}}


# --- call-next ----------------------------------------------------------------------------------------------------


async def call_next(
    *, user_id: int, counter: Counter, credentials: int | None = None
) -> tuple[int, Ticket | None, dict | None]:
    """``ticket_call_next``: the whole claim (lock the counter, pick by the calling rules, update, ratio, event)."""
    if clock.is_simulated():
        raise Fallback
    now = clock.now()
    params = {
        "counter": counter.pk,
        "hall": counter.hall_id,
        "date": timezone.localdate(now),
        "now": now,
        "clerk": user_id,
        "credentials": credentials,
    }
    row = await _run("call_next", params)
    if row["id"] is None:
        # No queue state yet, paused/closed, or holding a ticket: Django answers (and explains).
        if row["cstatus"] != CounterStatus.OPEN or row["busy"]:
            raise Fallback
        return 204, None, None
    ticket = await _attach(ticket_from_row(row), counter)
    return 200, ticket, {"kind": "ticket.called", "extra": {}}


# --- start (BIZ-2.2) --------------------------------------------------------------------------------------------


async def start(
    *, user_id: int, supervisor: bool, counter: Counter, ticket_id: int, credentials: int | None = None
) -> tuple[int, Ticket, dict]:
    """``handling_start``: the clock's limit and mode from the standard in force now (BIZ-2.2)."""
    from queueing.standard_memo import standard_at

    if clock.is_simulated():
        raise Fallback
    now = clock.now()
    standard = await sync(standard_at, now)
    params = {
        "ticket": ticket_id,
        "counter": counter.pk,
        "hall": counter.hall_id,
        "now": now,
        "clerk": user_id,
        "supervisor": supervisor,
        "warn": float(standard.get("handling.warn_share", 0.8)),
        "version": standard.version.number,
        "complex": int(standard["handling.complex_minutes"]),
        "basic": int(standard["handling.basic_minutes"]),
        "standard": standard,
        "credentials": credentials,
    }
    row = await _run("start", params)
    if row is None:  # not this counter's called ticket, or another clerk's: the service explains
        raise Fallback
    ticket = await _attach(ticket_from_row(row), counter)
    return 200, ticket, {"kind": "ticket.started", "extra": {"limit_minutes": ticket.limit_minutes}}


# --- finish (BIZ-2.2 within limit; no missing materials) --------------------------------------------------------

HOT_OUTCOMES = {Outcome.DONE, Outcome.CONTINUED_ONLINE, Outcome.FAILED}


async def finish(
    *,
    user_id: int,
    supervisor: bool,
    counter: Counter,
    ticket_id: int,
    body: dict,
    credentials: int | None = None,
) -> tuple[int, Ticket, dict]:
    """``handling_finish`` without missing materials: outcome, handled businesses, notes, within limit."""
    if not _shape(body, shapes()["finish"], required={"outcome", "business_type_ids"}):
        raise Fallback
    outcome, bts, notes = body["outcome"], body["business_type_ids"], body.get("notes", "")
    if (
        outcome not in HOT_OUTCOMES
        or not bts
        or body.get("missing_material_ids")
        or body.get("brought_material_ids") is not None
        or clock.is_simulated()
    ):
        raise Fallback
    bt_ids = sorted(set(bts))
    params = {
        "ticket": ticket_id,
        "counter": counter.pk,
        "hall": counter.hall_id,
        "now": clock.now(),
        "outcome": outcome,
        "clerk": user_id,
        "supervisor": supervisor,
        "bts": bt_ids,
        "n_bts": len(bt_ids),
        "notes": Ticket._meta.get_field("notes").get_db_prep_save(notes, connection) if notes else "",
        "credentials": credentials,
    }
    row = await _run("finish", params)
    if row is None:  # not this counter's ticket in service, another clerk's, or a business of another hall
        raise Fallback
    ticket = await _attach(ticket_from_row(row), counter)
    return 200, ticket, {"kind": "ticket.finished", "extra": {"outcome": outcome}}
