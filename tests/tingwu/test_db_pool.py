"""The PostgreSQL pool's check of a connection it hands out (tingwu/db/pool.py, issue 14): a connection handed back
moments ago costs no round trip; one the server closed meanwhile is replaced, never handed to a request (which would
answer 500); one idle for long is checked by a round trip as psycopg_pool does."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg_pool import ConnectionPool

from tingwu.db import pool as tingwu_pool

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pool")


@pytest.fixture
def full_checks(monkeypatch):
    calls = []
    real = ConnectionPool.check_connection

    def counted(conn):
        calls.append(conn)
        real(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    return calls


@pytest.fixture
def one_connection_pool():
    params = connection.get_connection_params()
    params["autocommit"] = True
    pool = ConnectionPool(
        kwargs=params,
        min_size=1,
        max_size=1,
        open=True,
        check=tingwu_pool.connection_check,
        reset=tingwu_pool.connection_returned,
    )
    yield pool
    pool.close()


def _backend_pid(conn) -> int:
    return conn.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_the_settings_give_the_pool_these_checks():
    options = settings.DATABASES["default"]["OPTIONS"].get("pool")
    if not options:
        pytest.skip("DB_POOL is off")
    assert options["check"] is tingwu_pool.connection_check
    assert options["reset"] is tingwu_pool.connection_returned


def test_a_connection_handed_back_moments_ago_costs_no_round_trip(one_connection_pool, full_checks):
    with one_connection_pool.connection() as conn:  # never handed back before: checked in full
        first = _backend_pid(conn)
    assert len(full_checks) == 1
    for _ in range(3):
        with one_connection_pool.connection() as conn:
            assert _backend_pid(conn) == first
    assert len(full_checks) == 1


def test_a_connection_idle_for_long_is_checked_by_a_round_trip(one_connection_pool, full_checks, monkeypatch):
    with one_connection_pool.connection() as conn:
        _backend_pid(conn)
    monkeypatch.setattr(tingwu_pool, "FULL_CHECK_AFTER", 0.0)
    time.sleep(0.01)
    with one_connection_pool.connection() as conn:
        _backend_pid(conn)
    assert len(full_checks) == 2


def test_a_connection_the_server_closed_is_replaced_not_handed_out(one_connection_pool, full_checks):
    with one_connection_pool.connection() as conn:
        dead = _backend_pid(conn)
    with psycopg.connect(**{**connection.get_connection_params(), "autocommit": True}) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dead])
        deadline = time.monotonic() + 5
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [dead]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.02)
    # Handed back a moment ago, so only the socket is looked at: the server's goodbye waits there.
    with one_connection_pool.connection() as conn:
        assert _backend_pid(conn) != dead
    # Full checks: the first checkout's; the dead connection's, which failed; the new connection's.
    assert len(full_checks) == 3 and full_checks[1] is full_checks[0] and full_checks[2] is not full_checks[0]
