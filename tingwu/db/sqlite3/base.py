"""SQLite for the embedded default, under ASGI's thread per request (issue 14): Django's backend plus two things.

1. **Connections are kept, not closed.** Under ASGI each request runs in a new thread, so Django opened a new SQLite
   connection for every request and closed it at the end (``CONN_MAX_AGE`` cannot help: connections are per thread).
   When the *last* connection to a WAL database closes, SQLite checkpoints the whole WAL into the database file,
   fsyncs it and deletes the WAL; the next request's first write creates it again. Measured in process
   (bench/django_path_inprocess.py, cProfile; figures in docs/performance.md, "Why latency exploded"): ``close()`` and
   ``commit()`` cost more per write request than all of Django's own work. Here a closed connection goes back to a small per-process pool (rolled back if
   a transaction was left open) and the next request takes it, so the WAL stays, checkpoints happen every
   ``wal_autocheckpoint`` pages as SQLite intends, and no request pays for opening a connection and its PRAGMAs.
2. **Writers take turns in the process before SQLite's lock.** ``BEGIN IMMEDIATE`` makes a second writer wait in
   SQLite's busy handler, which polls with growing sleeps: under a dozen concurrent writers the lock went to whichever
   poller woke first and some requests waited seconds (docs/performance.md). A process-wide lock
   taken before ``BEGIN IMMEDIATE`` and released at commit/rollback hands the database over as soon as it is free
   (a write outside a transaction takes it for its one statement);
   SQLite's busy timeout still arbitrates between processes (the web server and ``manage.py worker``). A turn that
   does not come within the busy timeout raises "database is locked", which the web layer answers with 503
   (tingwu/overload.py).

The queue hot path's own SQLite connection (queueing/hotpath/lite.py) takes the same turn (``write_lock``), so it and
Django never wait for each other inside SQLite's lock.

``TINGWU_SQLITE_WRITE_QUEUE=0`` switches both off (Django's behaviour; the benchmark's baseline), and with them the
SQLite hot path.
"""

from __future__ import annotations

import os
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

MAX_IDLE = 16  # connections kept per database file and process
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

_pool_lock = threading.Lock()
_idle: dict[str, list[tuple[int, object]]] = {}  # database file → [(inode, sqlite3.Connection)]
_write_locks: dict[str, threading.Lock] = {}


def enabled() -> bool:
    return os.environ.get("TINGWU_SQLITE_WRITE_QUEUE", "1").lower() not in ("0", "false", "no", "off")


def _inode(name: str) -> int | None:
    try:
        return os.stat(name).st_ino
    except OSError:
        return None


def write_lock(name: str) -> threading.Lock:
    """This process's writers' turn on one database file: Django's transactions and the queue hot path
    (queueing/hotpath/lite.py) take it before ``BEGIN IMMEDIATE`` and give it back at commit or rollback."""
    lock = _write_locks.get(name)
    if lock is None:
        with _pool_lock:
            lock = _write_locks.setdefault(name, threading.Lock())
    return lock


def close_pool() -> None:
    """Close every kept connection (a test database about to be removed, a benchmark starting afresh)."""
    with _pool_lock:
        idle = [conn for conns in _idle.values() for _ino, conn in conns]
        _idle.clear()
    for conn in idle:
        conn.close()


class DatabaseWrapper(base.DatabaseWrapper):
    _write_turn = (
        False  # this wrapper holds its process's write lock (between BEGIN IMMEDIATE and COMMIT/ROLLBACK)
    )

    def _pooled(self) -> bool:
        return enabled() and not self.is_in_memory_db()

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=_TurnTakingCursor)
        cursor.db = self
        return cursor

    def write_outside_a_transaction(self, run):
        """A write in autocommit mode (no BEGIN): it takes the turn for its one statement, so it waits in this
        process's queue rather than in SQLite's busy handler's polling (a bare INSERT waited up to 0.6 s under the
        ``make run`` server's load; ``tests/queueing/test_sqlite_write_turns.py``)."""
        if self._write_turn or not self.get_autocommit() or not self._pooled():
            return run()
        lock = write_lock(str(self.settings_dict["NAME"]))
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if not lock.acquire(timeout=timeout):
            raise OperationalError(f"database is locked (no write turn within {timeout:g} s)")
        try:
            return run()
        finally:
            lock.release()

    def get_new_connection(self, conn_params):
        if self._pooled():
            name = str(self.settings_dict["NAME"])
            ino = _inode(name)
            with _pool_lock:
                idle = _idle.get(name) or []
                while idle:
                    kept_ino, conn = idle.pop()
                    if kept_ino == ino:
                        return conn
                    conn.close()  # the file was replaced (a test database made again): never reuse it
        return super().get_new_connection(conn_params)

    def _close(self):
        if self.connection is None:
            return
        self._release_turn()
        if not self._pooled():
            return super()._close()
        conn, name = self.connection, str(self.settings_dict["NAME"])
        with self.wrap_database_errors:
            if conn.in_transaction:
                conn.rollback()
        ino = _inode(name)
        with _pool_lock:
            idle = _idle.setdefault(name, [])
            if ino is not None and len(idle) < MAX_IDLE:
                idle.append((ino, conn))
                return None
        with self.wrap_database_errors:
            return conn.close()

    # --- writers take turns -----------------------------------------------------------------------------------

    def _start_transaction_under_autocommit(self):
        if not self._pooled():
            return super()._start_transaction_under_autocommit()
        lock = write_lock(str(self.settings_dict["NAME"]))
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if not lock.acquire(timeout=timeout):
            raise OperationalError(f"database is locked (no write turn within {timeout:g} s)")
        self._write_turn = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_turn()
            raise

    def _release_turn(self) -> None:
        if self._write_turn:
            self._write_turn = False
            write_lock(str(self.settings_dict["NAME"])).release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_turn()


class _TurnTakingCursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write made outside a transaction takes the process's write turn first."""

    db: DatabaseWrapper

    def execute(self, query, params=None):
        if query.lstrip()[:7].upper().startswith(_WRITES):
            return self.db.write_outside_a_transaction(
                lambda: super(_TurnTakingCursor, self).execute(query, params)
            )
        return super().execute(query, params)

    def executemany(self, query, param_list):
        if query.lstrip()[:7].upper().startswith(_WRITES):
            return self.db.write_outside_a_transaction(
                lambda: super(_TurnTakingCursor, self).executemany(query, param_list)
            )
        return super().executemany(query, param_list)
