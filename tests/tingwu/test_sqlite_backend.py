"""The embedded default under concurrency (issue 14): SQLite connections kept across ASGI's threads, writers taking
turns in the process (tingwu/db/sqlite3). Real threads, real file database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from queueing.models import DailySequence
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the embedded default's backend"),
]


def _in_thread(fn):
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    if "error" in out:
        raise out["error"]
    return out.get("value")


def test_a_request_threads_connection_is_kept_for_the_next_so_the_wal_is_not_checkpointed_at_every_close():
    """Each ASGI request has a thread of its own; closing its connection used to close the last one to the
    database, which checkpoints and deletes the WAL (≈ 20 ms) — and the next write re-created it. Now the next
    thread gets the same SQLite connection, and the WAL file stays."""
    connection.close()
    first = _in_thread(lambda: (connection.ensure_connection(), id(connection.connection))[1])
    second = _in_thread(lambda: (connection.ensure_connection(), id(connection.connection))[1])
    assert first == second
    f.hall()  # a write
    connections.close_all()
    assert Path(f"{connection.settings_dict['NAME']}-wal").exists()


def test_a_transaction_left_open_is_rolled_back_before_the_connection_is_used_again():
    hall = f.hall()

    def leave_open():
        connection.ensure_connection()
        connection.connection.execute("BEGIN IMMEDIATE")
        connection.connection.execute("UPDATE halls_hall SET name = 'half' WHERE id = ?", [hall.pk])

    _in_thread(leave_open)  # closed with the transaction open
    hall.refresh_from_db()
    assert hall.name != "half"
    with transaction.atomic():  # and the write lock was released
        f.hall()


def test_a_waiting_writer_gets_the_database_as_soon_as_the_holder_commits():
    """Writers of one process queue on a lock handed over at commit (before it, SQLite's busy handler polled with
    sleeps growing to 100 ms). A guard against a lost hand-over: the waiter runs right after the commit, not at a
    timeout (generous bound: the test machine is shared)."""
    hall = f.hall()
    DailySequence.objects.create(hall=hall, service_date="2026-12-02", prefix="A", last_seq=0)
    committed, got, holding = {}, {}, threading.Event()

    def holder():
        with transaction.atomic():
            DailySequence.objects.filter(hall=hall).update(last_seq=1)
            holding.set()
            time.sleep(0.235)
        committed["at"] = time.perf_counter()

    def waiter():
        holding.wait(10)
        with transaction.atomic():
            got["at"] = time.perf_counter()
            DailySequence.objects.filter(hall=hall).update(last_seq=2)

    threads = [
        threading.Thread(target=lambda fn=fn: (fn(), connections.close_all())) for fn in (holder, waiter)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    lag = (got["at"] - committed["at"]) * 1000
    assert lag < 150, f"the waiting writer got the database {lag:.0f} ms after the commit"
    assert DailySequence.objects.get(hall=hall).last_seq == 2


def test_many_writers_at_once_all_commit():
    """12 threads × 10 numbered tickets' worth of sequence increments: every one counted, none refused."""
    hall = f.hall()
    DailySequence.objects.create(hall=hall, service_date="2026-12-02", prefix="A", last_seq=0)
    from django.db.models import F

    def work():
        for _ in range(10):
            with transaction.atomic():
                DailySequence.objects.filter(hall=hall).update(last_seq=F("last_seq") + 1)
        connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert DailySequence.objects.get(hall=hall).last_seq == 120
