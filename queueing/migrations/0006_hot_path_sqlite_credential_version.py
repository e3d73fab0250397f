"""Hot path on SQLite: credential changes bump a version from the database, as NOTIFY does on PostgreSQL (0004).

The SQLite hot path (queueing/hotpath/lite.py) keeps the credential version read before Django accepted a
credential and reads it again inside every hot transaction: a change since then sends the request to Django. These
row-level triggers bump it on every change of the rows a credential's verdict depends on — the same tables, events
and column conditions as migration 0004 (``TABLES``), whoever makes the change (a ``QuerySet.update()``, a raw
UPDATE, another program). SQLite has no TRUNCATE (Django's flush deletes rows: the DELETE triggers fire).
SQLite only: PostgreSQL has 0004.
"""

from __future__ import annotations

import importlib

from django.db import migrations

TABLE = "tingwu_hot_path_version"
TABLES = importlib.import_module("queueing.migrations.0004_hot_path_credential_triggers").TABLES
BUMP = f"UPDATE {TABLE} SET version = version + 1 WHERE id = 1;"


def _triggers():
    """(name, CREATE TRIGGER statement) for every table and event of 0004's list."""
    for table, (events, update_when) in TABLES.items():
        kinds = [e.strip() for e in events.split(" OR ") if e.strip() != "TRUNCATE"]
        for kind in kinds:
            name = f"tingwu_hot_path_{table}_{kind.lower()}"
            yield name, f'CREATE TRIGGER {name} AFTER {kind} ON "{table}" BEGIN {BUMP} END'
        if update_when:
            name = f"tingwu_hot_path_{table}_update_row"
            when = update_when.replace("IS DISTINCT FROM", "IS NOT")
            yield name, f'CREATE TRIGGER {name} AFTER UPDATE ON "{table}" FOR EACH ROW WHEN ({when}) BEGIN {BUMP} END'


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
        )
        cursor.execute(f"INSERT OR IGNORE INTO {TABLE} (id, version) VALUES (1, 0)")
        for name, create in _triggers():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(create)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _create in _triggers():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0005_merge_20261202_1033"),
        ("staff", "0001_initial"),
        ("integrations", "0001_initial"),
        ("sessions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
