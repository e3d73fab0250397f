"""Shared by the benchmarks: a fresh PostgreSQL database with Django set up on it; counting statements and garbage
collections inside a block."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(name: str) -> str:
    """Drop and create database ``name`` on 127.0.0.1:5432, point Django at it, set Django up; returns its URL.
    The caller migrates (``call_command("migrate")``) and seeds."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


class CountQueries:
    """Counts the statements run on ``connection`` inside the block without Django's debug cursor.

    ``CaptureQueriesContext`` forces the debug cursor, which renders every statement with its parameters; on SQLite
    that is one ``SELECT QUOTE(?), …`` per statement — for a pass that writes ≈ 26,000 values it costs more than the
    pass's own SQL, so a time measured inside it is not the production figure."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def _wrapper(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = self.connection.execute_wrapper(self._wrapper)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


class GcTime:
    """Collections per generation and the time spent in them inside the block (``gc.callbacks``)."""

    def __init__(self):
        self.by_generation: dict[int, list] = {}
        self._t0 = 0.0

    def _callback(self, phase, info):
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        n, seconds = self.by_generation.get(info["generation"], (0, 0.0))
        self.by_generation[info["generation"]] = (n + 1, seconds + time.perf_counter() - self._t0)

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)

    def __str__(self) -> str:
        parts = [f"gen{g} {n}× {s * 1000:.0f} ms" for g, (n, s) in sorted(self.by_generation.items())]
        return ", ".join(parts) or "none"
