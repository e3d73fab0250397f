"""How Django's PostgreSQL pool checks a connection before handing it out (``OPTIONS["pool"]``: ``check``, ``reset``).

psycopg_pool's own check (``ConnectionPool.check_connection``, what ``CONN_HEALTH_CHECKS`` selects) sends an empty
query on every checkout: one round trip on every request, for a connection that was usually handed back a few
milliseconds before (issue 14, docs/performance.md). Here a connection handed back less than ``FULL_CHECK_AFTER``
seconds ago is checked without a round trip: its socket is polled. A connection the server has closed since — a
restart, ``pg_terminate_backend``, an idle timeout, a crashed backend — has the server's last message or the end of
the stream waiting on its socket, so it is readable, and then the full check runs and the pool replaces it as before.
A connection idle for longer, or never handed back, always gets the full check.
"""

from __future__ import annotations

import select
import time
import weakref

from psycopg_pool import ConnectionPool

FULL_CHECK_AFTER = 5.0  # seconds: past this, a connection idle in the pool is checked by a round trip

_returned: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection → when it was handed back


def connection_returned(conn) -> None:
    """The pool's ``reset`` callback: note when the connection came back (it is left as it is)."""
    _returned[conn] = time.monotonic()


def _unread(conn) -> bool:
    """Something — a message, the end of the stream — waits on the idle connection's socket."""
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def connection_check(conn) -> None:
    """The pool's ``check`` callback: raise if the connection cannot be used (the pool then opens another)."""
    since = _returned.get(conn)
    if conn.closed or since is None or time.monotonic() - since > FULL_CHECK_AFTER or _unread(conn):
        ConnectionPool.check_connection(conn)
