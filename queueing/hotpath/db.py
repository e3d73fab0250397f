"""The hot path's own PostgreSQL connections: asyncpg, on the web process's event loop.

Why not Django's connections: they are synchronous, so each hot request needed a hop to a worker thread, and four
such threads plus the event loop fought over the GIL (a waiting thread waits for the interpreter's switch interval:
a convoy, with high latencies while the CPU was not even busy — figures in docs/performance.md). One event loop
running the statements itself has no hops and no convoy.

Why asyncpg and not psycopg's async mode (Django itself stays on psycopg): for these four statements it costs less
CPU on both sides, in Python and in PostgreSQL, measured on the same operations (binary protocol, statement
handling in Cython; the figures are in docs/performance.md) — and the hot path exists for that margin (docs/architecture.md, decision "Queue hot path").

A deliberately small pool: up to ``QUEUE_HOT_PATH_CONNECTIONS`` connections per event loop, opened on demand, kept
idle in a LIFO, dropped when broken — no background tasks, so nothing outlives the loop (tests run many loops). Each
connection runs every statement on its own (autocommit: each hot operation is one statement), in UTC (as Django's),
and plans each statement once (prepared on first use, generic plans), re-preparing it every
``STATEMENT_LIFETIME`` seconds so that plans follow the tables' statistics — a plan made on a nearly empty table (a
new database's first minutes) does not stay for the connection's life.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
from types import SimpleNamespace

from django.conf import settings

_pools: dict = {}  # event loop → _Pool (a server has one loop; tests run one per test)
_listeners: dict = {}  # event loop → its LISTEN connection, or None while it connects
_epoch = 0  # bumped whenever a listener connects or is lost (identity: which entries had it all along)
_listen_retry: dict = {}  # event loop → time.monotonic() before which a failed listener is not retried
LISTEN_RETRY = 5.0  # seconds
_statements: dict[str, tuple[str, list[str]]] = {}
STATEMENT_LIFETIME = 300  # seconds


def errors() -> tuple[type[BaseException], ...]:
    """What a failed statement or connection raises: the request is then Django's (nothing was changed)."""
    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


def integrity_error() -> type[BaseException]:
    import asyncpg

    return asyncpg.IntegrityConstraintViolationError


class _Pool:
    def __init__(self, size: int):
        self.size = size
        self.count = 0  # open or being opened
        self.idle: asyncio.LifoQueue = asyncio.LifoQueue()
        self.all: set = set()  # every open connection, for close_all()

    async def acquire(self):
        try:
            conn = self.idle.get_nowait()
        except asyncio.QueueEmpty:
            if self.count < self.size:
                conn = None
                self.count += 1
            else:
                conn = await self.idle.get()
                if conn is None:  # a broken connection freed its slot
                    self.count += 1
        if conn is not None:
            return conn
        try:
            conn = await _connect()
        except BaseException:
            self.count -= 1
            # Wake a waiter: it may try (and fail) for itself rather than wait forever.
            self.idle.put_nowait(None)
            raise
        self.all.add(conn)
        return conn

    def release(self, conn, *, broken: bool) -> None:
        if broken or conn.is_closed() or conn.is_in_transaction():
            self.count -= 1
            self.all.discard(conn)
            conn.terminate()
            self.idle.put_nowait(None)  # a waiter may open a new one
        else:
            self.idle.put_nowait(conn)


# --- hearing other processes' credential changes (identity.forget → NOTIFY) --------------------------------------


def epoch() -> int:
    return _epoch


def listening() -> bool:
    """True when this event loop's LISTEN connection is up, so that a change anywhere reaches this process."""
    try:
        conn = _listeners.get(asyncio.get_running_loop())
    except RuntimeError:
        return False
    return conn is not None and not conn.is_closed()


def ensure_listener() -> None:
    """Start listening on this event loop if it does not yet (or any more); returns at once."""
    loop = asyncio.get_running_loop()
    if loop not in _listeners and time.monotonic() >= _listen_retry.get(loop, 0):
        _listeners[loop] = None
        loop.create_task(_listen(loop))


async def _listen(loop) -> None:
    from queueing.hotpath import identity

    def heard(*_args) -> None:
        from staff.access import forget_access

        identity.forget_here()
        forget_access()  # Django's own role memo (staff.access) hears it too: no 5-second lag across processes

    def lost(*_args) -> None:
        # Changes made while nobody listened were missed: forget everything, listen again on the next request.
        global _epoch
        if _listeners.get(loop) is conn:
            _listeners.pop(loop, None)
        _epoch += 1
        identity.forget_here()

    try:
        conn = await _connect(application="tingwu hot path listener")
        await conn.add_listener(identity.CHANNEL, heard)
    except errors():
        # A request after LISTEN_RETRY tries again; meanwhile the short TTL applies.
        _listeners.pop(loop, None)
        _listen_retry[loop] = time.monotonic() + LISTEN_RETRY
        return
    conn.add_termination_listener(lost)
    if loop.is_closed() or _listeners.get(loop, 0) is not None:  # closed meanwhile (close_all)
        conn.terminate()
        return
    global _epoch
    _epoch += 1  # entries remembered before now keep FALLBACK_TTL: they may have missed a change
    _listeners[loop] = conn


async def _connect(application: str = "tingwu hot path"):
    import asyncpg
    from django.db import connection

    db = connection.settings_dict
    options = db.get("OPTIONS") or {}
    return await asyncpg.connect(
        host=db.get("HOST") or None,
        port=int(db["PORT"]) if db.get("PORT") else None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        database=db["NAME"],
        ssl=options.get("sslmode", "prefer"),
        timeout=10,
        max_cached_statement_lifetime=STATEMENT_LIFETIME,
        server_settings={
            "TimeZone": "UTC",
            # Planning these CTEs costs several times what executing them does: plan once per prepared statement.
            "plan_cache_mode": "force_generic_plan",
            "application_name": application,
        },
    )


def _close_pool(pool: _Pool, loop) -> None:
    """Close every connection of a pool from any thread, even after its loop has stopped: say goodbye to the server
    (Terminate) on the socket itself and shut it down; the connection objects then die with the pool."""
    for conn in list(pool.all):
        transport = getattr(conn, "_transport", None)
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is not None and sock.fileno() >= 0:
            try:
                with socket.socket(fileno=os.dup(sock.fileno())) as dup:
                    dup.sendall(b"X\x00\x00\x00\x04")  # the protocol's Terminate message
                    dup.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if not loop.is_closed():
            try:
                loop.call_soon_threadsafe(conn.terminate)
            except RuntimeError:  # the loop closed meanwhile
                pass
    pool.all.clear()
    pool.count = 0


def close_all() -> None:
    """Close every hot-path connection now, from any thread (tests: before the test database is dropped)."""
    from queueing.hotpath import lite

    lite.close_all()
    for loop in list(_pools):
        _close_pool(_pools.pop(loop), loop)
    _listen_retry.clear()
    for loop in list(_listeners):
        conn = _listeners.pop(loop)
        if conn is not None:
            _close_pool(SimpleNamespace(all={conn}), loop)


async def close_loop() -> None:
    """Close this event loop's connections politely (the server's shutdown)."""
    loop = asyncio.get_running_loop()
    pool = _pools.pop(loop, None)
    listener = _listeners.pop(loop, None)
    for conn in [*(pool.all if pool else ()), *([listener] if listener else [])]:
        try:
            await asyncio.wait_for(conn.close(), 2)
        except (*errors(), RuntimeError):
            conn.terminate()


def _pool() -> _Pool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        for old in [old for old in _pools if old.is_closed()]:  # a finished loop's connections are useless
            _close_pool(_pools.pop(old), old)
        pool = _pools[loop] = _Pool(int(getattr(settings, "QUEUE_HOT_PATH_CONNECTIONS", 4)))
    return pool


def _statement(sql: str) -> tuple[str, list[str]]:
    """The statement with PostgreSQL's $n placeholders for its ``%(name)s`` ones, and the names in order."""
    found = _statements.get(sql)
    if found is None:
        names: list[str] = []

        def number(m: re.Match) -> str:
            if m[1] not in names:
                names.append(m[1])
            return f"${names.index(m[1]) + 1}"

        found = _statements[sql] = (re.sub(r"%\((\w+)\)s", number, sql).replace("%%", "%"), names)
    return found


async def fetch(sql: str, params: dict) -> dict | None:
    """Run one statement (on its own: autocommit) and return its first row as a dict, or None."""
    import asyncpg

    text, names = _statement(sql)
    pool = _pool()
    conn = await pool.acquire()
    broken = True
    try:
        row = await conn.fetchrow(text, *[params[name] for name in names])
        broken = False
    except asyncpg.PostgresError:  # the statement failed (and rolled back); the connection is fine
        broken = False
        raise
    finally:
        pool.release(conn, broken=broken)
    return None if row is None else dict(row.items())
