"""The hot path on SQLite, the embedded default (issue 14): the four operations without Django's request path.

Same contract as on PostgreSQL (``sql.MIRRORS``; statements in ``sqlite_sql``): ``ops`` decides, builds the
parameters and falls back to Django for everything but the common case; here each operation runs as one short
``BEGIN IMMEDIATE`` transaction on this event loop's own ``sqlite3`` connection.

**Writers take the same turn as Django's** (``tingwu.db.sqlite3.base.write_lock``): taken before ``BEGIN
IMMEDIATE``, given back after COMMIT/ROLLBACK, so the hot path and Django's transactions never wait for each other
inside SQLite's busy handler. The turn is tried without blocking on the event loop; when a Django request holds it,
the wait happens in a worker thread (the loop keeps serving) and a turn that does not come within the database's
timeout answers 503 (nothing changed). Nothing awaits inside a transaction, so one connection per event loop serves
every hot request of the process in turn. SQLite's own lock is then contended only by another process (the worker):
a short busy timeout, and the request goes to Django if it does not get it.

**Credentials** (issue 10 §5, as the NOTIFY triggers on PostgreSQL): triggers (migration
``queueing.0006_hot_path_sqlite_credential_version``) bump ``tingwu_hot_path_version`` on every change of the rows a
credential's verdict depends on, whoever makes it. The version is read before a request is handed to Django and
kept with what Django proved (``identity.remember``); each hot transaction first reads it again and, if it moved,
forgets every credential and hands the request to Django — so whatever Django would refuse now, the hot path
refuses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from datetime import UTC, date, datetime
from types import SimpleNamespace

from django.conf import settings

from halls.models import CallingProfile, CounterStatus
from queueing.hotpath import sqlite_sql as q
from queueing.hotpath.sql import FIELDS
from queueing.models import TicketEventKind, TicketStatus

logger = logging.getLogger(__name__)

BUSY_TIMEOUT = (
    0.05  # seconds in SQLite's busy handler on the event loop (only another process can hold the lock)
)
_conns: dict = {}  # event loop → ((file, inode), sqlite3.Connection)


class Stale(Exception):  # noqa: N818 - a signal to the caller, not an error
    """A credential changed since Django accepted this one: forget, let Django decide."""


def available() -> bool:
    """The SQLite hot path runs on the project's engine with its writers' turn (not with it switched off, which is
    Django's plain behaviour), on a database file."""
    from tingwu.db.sqlite3 import base

    db = settings.DATABASES["default"]
    name = str(db.get("NAME", ""))
    return db["ENGINE"] == "tingwu.db.sqlite3" and base.enabled() and name not in ("", ":memory:")


def _name() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def _inode(name: str) -> int | None:
    try:
        return os.stat(name).st_ino
    except OSError:
        return None


def _conn() -> sqlite3.Connection:
    loop = asyncio.get_running_loop()
    name = _name()
    key = (name, _inode(name))
    kept = _conns.get(loop)
    if kept is not None and kept[0] == key:
        return kept[1]
    if kept is not None:  # the file was replaced (a test database made again)
        kept[1].close()
    for old in [old for old in _conns if old.is_closed()]:
        _conns.pop(old)[1].close()
    conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    for pragma in filter(None, (p.strip() for p in init.split(";"))):
        conn.execute(pragma)
    conn.row_factory = sqlite3.Row
    _conns[loop] = (key, conn)
    return conn


def close_all() -> None:
    """Close every hot-path SQLite connection (a test database about to be removed)."""
    for _key, conn in list(_conns.values()):
        conn.close()
    _conns.clear()


_seen: dict = {"version": None}  # the last credential version this process read


def version() -> int | None:
    """The credential version now (None: not readable — then nothing is remembered for the hot path). A version
    that moved since this process last read it empties the memos here, as a NOTIFY heard does on PostgreSQL."""
    try:
        row = _conn().execute(q.VERSION).fetchone()
    except sqlite3.Error:
        return None
    current = None if row is None else row[0]
    if current != _seen["version"]:
        _seen["version"] = current
        _heard()
    return current


def _heard() -> None:
    from queueing.hotpath import identity
    from staff.access import forget_access

    identity.forget_here()
    forget_access()  # Django's own role memo (staff.access) hears it too, as from db._listen on PostgreSQL


async def run(op: str, params: dict) -> dict | None:
    """One operation as one write transaction in the process's writers' turn; its row as ``sql.py``'s statement
    returns it (Python values), or None. Raises ``ops.Fallback`` (nothing changed) or ``ops.Overloaded``."""
    from queueing.hotpath.ops import Fallback, Overloaded
    from tingwu.db.sqlite3.base import write_lock

    if params.get("credentials") is None:
        raise Fallback
    try:
        conn = _conn()
    except sqlite3.Error:
        raise Fallback from None
    lock = write_lock(_name())
    if not lock.acquire(blocking=False) and not await _wait_turn(lock):
        raise Overloaded
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # another process writes: Django waits its turn properly
            raise Fallback from None
        try:
            if conn.execute(q.VERSION).fetchone()[0] != params["credentials"]:
                raise Stale
            row = BODIES[op](conn, params)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except Stale:
        _heard()
        raise Fallback from None
    except sqlite3.IntegrityError:  # a repeated idempotency key, a double click: Django answers
        raise Fallback from None
    except sqlite3.Error:
        logger.warning("hot path (SQLite): database error, handing the request to Django", exc_info=True)
        raise Fallback from None
    finally:
        lock.release()
    return row


async def _wait_turn(lock) -> bool:
    """Wait for the writers' turn in a worker thread (a Django transaction holds it); if this request is cancelled
    meanwhile, a turn that comes anyway is given back."""
    timeout = float(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5))
    future = asyncio.get_running_loop().run_in_executor(None, lock.acquire, True, timeout)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        future.add_done_callback(lambda f: f.result() and lock.release())
        raise


# --- values as Django's SQLite backend stores and reads them -------------------------------------------------------


def _ts(value: datetime) -> str:
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


_READ = {"DateTimeField": _datetime, "DateField": date.fromisoformat, "BooleanField": bool}
_CONVERT = [(f.column, _READ[f.get_internal_type()]) for f in FIELDS if f.get_internal_type() in _READ]


def _py(row: sqlite3.Row) -> dict:
    values = dict(row)
    for column, read in _CONVERT:
        if values[column] is not None:
            values[column] = read(values[column])
    return values


def _event(conn, kind: str, ticket: dict, p: dict, *, actor: bool = True, **data) -> None:
    """The event row as ``services._common._event`` writes it (data as Django's JSONField stores it)."""
    conn.execute(
        q.EVENT,
        {
            "ticket": ticket["id"],
            "hall": ticket["hall_id"],
            "kind": str(kind),
            "now": _ts(p["now"]),
            "clerk": p.get("clerk") if actor else None,
            "counter": p.get("counter") if actor else None,
            "data": json.dumps(data),
        },
    )


# --- the four operations (each inside BEGIN IMMEDIATE … COMMIT) ------------------------------------------------------


def _issue(conn, p: dict) -> dict:
    from queueing.selectors import wait_minutes
    from queueing.services.issuing import format_number

    now, day = _ts(p["now"]), str(p["date"])
    seq = conn.execute(q.ISSUE_SEQ, {"hall": p["hall"], "date": day, "prefix": p["prefix"]}).fetchone()[0]
    ahead = conn.execute(
        q.ISSUE_AHEAD,
        {
            "hall": p["hall"],
            "date": day,
            "category": p["category"],
            "all_types": p["all_types"],
            "competing": json.dumps(p["competing"]),
            "now": now,
            "priority_kind": p["priority_kind"],
        },
    ).fetchone()[0]
    values = {
        **q.ISSUE_FIXED,
        "hall_id": p["hall"],
        "business_type_id": p["bt"],
        "service_date": day,
        "prefix": p["prefix"],
        "seq": seq,
        "number": format_number(p["prefix"], seq),
        "status": str(TicketStatus.WAITING),
        "source": str(p["source"]),
        "priority_kind": p["priority_kind"],
        "needs_accompaniment": p["accompany"],
        "needs_form_help": p["form_help"],
        "issued_at": now,
        "arrival_at": now,
        "public_token": p["public_token"],
        "idempotency_key": p["key"],
        "estimated_wait_minutes": wait_minutes(ahead=ahead, serving=p["serving"], mean=p["mean"]),
    }
    row = _py(conn.execute(q.ISSUE_INSERT, values).fetchone())
    _event(conn, TicketEventKind.ISSUED, row, p, actor=False, source=str(p["source"]), ahead=ahead)
    row["n"] = ahead
    return row


def _call_next(conn, p: dict) -> dict:
    from queueing.services.calling import next_normal_since_priority

    def busy() -> bool:
        return bool(conn.execute(q.CALL_BUSY, {"counter": p["counter"]}).fetchone()[0])

    st = conn.execute(q.CALL_STATE, {"counter": p["counter"]}).fetchone()
    if st is None:  # no queue state yet: Django creates it
        return {"id": None, "cstatus": None, "busy": False}
    if st["cstatus"] != CounterStatus.OPEN:
        return {"id": None, "cstatus": st["cstatus"], "busy": busy()}
    now = _ts(p["now"])
    pick = conn.execute(
        q.CALL_PICK,
        {
            "now": now,
            "hall": p["hall"],
            "date": str(p["date"]),
            "counter": p["counter"],
            "serves_all": st["serves_all"],
            "is_accessible": st["is_accessible"],
            # Counter.priority_first, or the ratio reached (services.calling.priority_first_now)
            "pfirst": st["calling_profile"] == CallingProfile.PRIORITY_FIRST
            or st["nsp"] >= st["priority_ratio_normal"],
        },
    ).fetchone()
    if pick is None:
        return {"id": None, "cstatus": st["cstatus"], "busy": busy()}
    claim = {"counter": p["counter"], "clerk": p["clerk"], "now": now, "ticket": pick["id"]}
    row = _py(conn.execute(q.CALL_CLAIM, claim).fetchone())
    nsp = next_normal_since_priority(st["nsp"], priority_kind=row["priority_kind"], tier=pick["tier"])
    conn.execute(q.CALL_RATIO, {"nsp": nsp, "clerk": p["clerk"], "now": now, "counter": p["counter"]})
    _event(conn, TicketEventKind.CALLED, row, p, tier=pick["tier"])
    return row | {"tier": pick["tier"], "cstatus": st["cstatus"], "busy": False}


def _start(conn, p: dict) -> dict | None:
    from catalog.models import BusinessType
    from queueing.services.handling import clock_mode_for

    keys = ("ticket", "counter", "hall", "clerk", "supervisor")
    found = conn.execute(q.START_READ, {k: p[k] for k in keys}).fetchone()
    if found is None:
        return None
    bt = SimpleNamespace(time_limit_minutes=found["time_limit_minutes"], category=found["category"])
    limit = BusinessType.time_limit(bt, p["standard"])
    values = {
        "now": _ts(p["now"]),
        "limit": limit,
        "mode": str(clock_mode_for(found["category"], limit)),
        "warn": p["warn"],
        "version": p["version"],
        "ticket": p["ticket"],
    }
    row = _py(conn.execute(q.START_UPDATE, values).fetchone())
    _event(conn, TicketEventKind.STARTED, row, p, limit=limit)
    return row


def _finish(conn, p: dict) -> dict | None:
    from queueing.hotpath.ops import ticket_from_row
    from queueing.services.handling import within_limit

    offered = conn.execute(q.FINISH_BUSINESSES, {"hall": p["hall"], "bts": json.dumps(p["bts"])}).fetchone()[
        0
    ]
    if offered != p["n_bts"]:
        return None
    keys = ("ticket", "counter", "hall", "clerk", "supervisor")
    found = conn.execute(q.FINISH_READ, {k: p[k] for k in keys}).fetchone()
    if found is None:
        return None
    within = within_limit(ticket_from_row(_py(found)), p["now"])
    values = {
        "now": _ts(p["now"]),
        "outcome": p["outcome"],
        "notes": p["notes"],
        "within": within,
        "ticket": p["ticket"],
    }
    row = _py(conn.execute(q.FINISH_UPDATE, values).fetchone())
    conn.executemany(q.FINISH_HANDLED, [{"ticket": row["id"], "bt": b} for b in p["bts"]])
    _event(conn, TicketEventKind.FINISHED, row, p, outcome=p["outcome"], within_limit=within, missing=[])
    return row


BODIES = {"issue": _issue, "call_next": _call_next, "start": _start, "finish": _finish}
