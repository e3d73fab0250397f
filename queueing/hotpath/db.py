"""The hot path's own PostgreSQL connections: psycopg async, on the web process's event loop.

Why not Django's connections: they are synchronous, so each hot request needed a hop to a worker thread, and four
such threads plus the event loop fought over the GIL (a waiting thread can wait up to the 5 ms switch interval for
it: p50 latencies of 50–90 ms at a few hundred requests/s, with the CPU not even busy). One event loop running the
statements itself has no hops and no convoy.

A deliberately small pool: up to ``QUEUE_HOT_PATH_CONNECTIONS`` connections per event loop, opened on demand, kept
idle in a LIFO, dropped when broken — no background tasks, so nothing outlives the loop (tests run many loops). Each
connection is in autocommit (every hot operation is one statement), in UTC (as Django's), plans each statement
once (generic plans; statements are prepared on first use) and keeps one cursor (type loaders set up once).
"""

from __future__ import annotations

import asyncio

from django.conf import settings

_pools: dict = {}  # event loop → _Pool (a server has one loop; tests run one per test)
_names: dict[str, list[str]] = {}


class _Pool:
    def __init__(self, size: int):
        self.size = size
        self.count = 0  # open or being opened
        self.idle: asyncio.LifoQueue = asyncio.LifoQueue()

    async def acquire(self):
        try:
            item = self.idle.get_nowait()
        except asyncio.QueueEmpty:
            if self.count < self.size:
                item = None
                self.count += 1
            else:
                item = await self.idle.get()
                if item is None:  # a broken connection freed its slot
                    self.count += 1
        if item is not None:
            return item
        try:
            return await _connect()
        except BaseException:
            self.count -= 1
            # Wake a waiter: it may try (and fail) for itself rather than wait forever.
            self.idle.put_nowait(None)
            raise

    def release(self, item, *, broken: bool) -> None:
        conn = item[0]
        if broken or conn.closed or conn.info.transaction_status != 0:  # 0 = IDLE
            self.count -= 1
            asyncio.get_running_loop().create_task(conn.close())
            self.idle.put_nowait(None)  # a waiter may open a new one
        else:
            self.idle.put_nowait(item)


async def _connect():
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    for key in (
        "cursor_factory",
        "context",
        "pool",
        "server_side_binding",
        "prepare_threshold",
        "assume_role",
    ):
        params.pop(key, None)
    conn = await psycopg.AsyncConnection.connect(**params, autocommit=True, prepare_threshold=None)
    await conn.execute("SET TIME ZONE 'UTC'")
    # Planning these CTEs costs ≈ 1–2 ms, executing them ≈ 0.2 ms: plan once per connection.
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    conn.prepare_threshold = 1 << 30  # only the hot statements (prepare=True) are prepared
    return conn, conn.cursor()


def _close_pool(pool: _Pool) -> None:
    while True:
        try:
            item = pool.idle.get_nowait()
        except asyncio.QueueEmpty:
            break
        if item is not None:
            item[0].pgconn.finish()  # synchronous: works without (or after) the pool's event loop
            pool.count -= 1


def close_all() -> None:
    """Close every idle hot-path connection now, from any thread (tests: before the test database is dropped)."""
    for loop in list(_pools):
        _close_pool(_pools.pop(loop))


def _pool() -> _Pool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        for old in [old for old in _pools if old.is_closed()]:  # a finished loop's connections are useless
            _close_pool(_pools.pop(old))
        pool = _pools[loop] = _Pool(int(getattr(settings, "QUEUE_HOT_PATH_CONNECTIONS", 4)))
    return pool


async def fetch(sql: str, params: dict) -> dict | None:
    """Run one statement (autocommit) and return its first row as a dict, or None."""
    import psycopg

    pool = _pool()
    item = await pool.acquire()
    broken = True
    try:
        cursor = item[1]
        await cursor.execute(sql, params, prepare=True)
        row = await cursor.fetchone()
        names = _names.get(sql)
        if names is None and cursor.description is not None:
            names = _names[sql] = [d.name for d in cursor.description]
        broken = False
    except psycopg.Error as exc:
        broken = isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
        raise
    finally:
        pool.release(item, broken=broken)
    return None if row is None else dict(zip(names, row, strict=True))
