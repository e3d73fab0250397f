"""Shared by the benchmarks: a fresh PostgreSQL database with Django set up on it."""

from __future__ import annotations

import os
import sys
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
