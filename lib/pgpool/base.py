"""PostgreSQL backend that hands connections back to a small per-process pool instead of closing them.

Why: under ASGI Django runs each request's sync code in a fresh thread, so ``CONN_MAX_AGE`` cannot keep a
connection (it is thread-local and dies with the thread); with ``CONN_MAX_AGE = 0`` every request paid a new
PostgreSQL backend (≈ 6 ms on the 2-core reference machine, see docs/performance.md). Here ``close()`` at the end of a
request returns the idle connection to a process-wide stack and the next request's ``connect()`` takes it back.

Django's own pool (``OPTIONS = {"pool": True}``) does the same with ``psycopg_pool``, which is not a dependency yet;
once it is, switch to it and delete this module. Only idle connections (no open transaction, not closed) are pooled;
connections idle longer than ``MAX_IDLE_SECONDS`` are closed instead of reused, which bounds the damage of a server
restart to requests within that window. ``close_pool()`` (called by the test runner before dropping a test
database) closes every pooled connection.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

MAX_POOLED = 32
MAX_IDLE_SECONDS = 60.0

_pools: dict[tuple, deque] = {}
_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool_key(self) -> tuple:
        s = self.settings_dict
        return (s["NAME"], s["USER"], s["HOST"], s["PORT"])

    def _idle(self) -> deque:
        key = self._pool_key()
        with _lock:
            return _pools.setdefault(key, deque())

    def get_new_connection(self, conn_params):
        idle = self._idle()
        now = time.monotonic()
        while True:
            try:
                conn, returned_at = idle.pop()  # newest first: the warmest connection
            except IndexError:
                return super().get_new_connection(conn_params)
            if conn.closed or now - returned_at > MAX_IDLE_SECONDS:
                conn.close()
                continue
            return conn

    def _close(self):
        conn = self.connection
        if (
            conn is not None
            and not conn.closed
            and conn.info.transaction_status == TransactionStatus.IDLE
            and not self.errors_occurred
        ):
            idle = self._idle()
            if len(idle) < MAX_POOLED:
                idle.append((conn, time.monotonic()))
                return None
        return super()._close()

    def close_pool(self):
        super().close_pool()
        with _lock:
            pools = list(_pools.values())
            _pools.clear()
        for idle in pools:
            while idle:
                conn, _returned_at = idle.pop()
                conn.close()
