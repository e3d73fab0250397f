"""Hot path: credential changes announce themselves from the database, not from Django signals (issue 10 §5).

The hot path forgets every remembered credential when it hears ``NOTIFY tingwu_hot_path_forget`` (identity.CHANNEL).
Django signals announced it for changes made through model ``save()``/``delete()``; a direct UPDATE, a
``QuerySet.update()``, a ``bulk_update()`` or a change by another program fired nothing, and the hot path kept
serving the old verdict for up to ``QUEUE_HOT_PATH_AUTH_TTL``. These statement-level triggers NOTIFY on every
change of the rows a credential's verdict depends on — whoever makes it. NOTIFY is transactional (sent at commit,
never for a rollback) and duplicates within a transaction collapse into one, so a bulk change costs one message.

``django_session`` triggers on DELETE only: its UPDATEs are the once-a-minute idle stamps (what a session proves
does not change with them; an expired session is refused by the hot path itself, ``identity.lookup``).
PostgreSQL only: there is no hot path on SQLite.
"""

from __future__ import annotations

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION tingwu_hot_path_forget() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('tingwu_hot_path_forget', '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

# table → (statement-level events, row-level UPDATE condition or None). Columns written in passing — the token's
# throttled ``last_used_at``, the user's ``last_login`` — change no verdict and must not empty every memo each time.
TABLES = {
    "auth_user": (
        "INSERT OR DELETE OR TRUNCATE",
        "OLD.password IS DISTINCT FROM NEW.password OR OLD.is_active IS DISTINCT FROM NEW.is_active"
        " OR OLD.is_superuser IS DISTINCT FROM NEW.is_superuser OR OLD.username IS DISTINCT FROM NEW.username",
    ),
    "staff_staffprofile": ("INSERT OR UPDATE OR DELETE OR TRUNCATE", None),
    "staff_hallassignment": ("INSERT OR UPDATE OR DELETE OR TRUNCATE", None),
    "staff_regionassignment": ("INSERT OR UPDATE OR DELETE OR TRUNCATE", None),
    "integrations_apitoken": (
        "DELETE OR TRUNCATE",
        "OLD.hall_id IS DISTINCT FROM NEW.hall_id OR OLD.kind IS DISTINCT FROM NEW.kind"
        " OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.token_hash IS DISTINCT FROM NEW.token_hash",
    ),
    "django_session": ("DELETE OR TRUNCATE", None),
}


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table, (events, update_when) in TABLES.items():
            for name in ("tingwu_hot_path_forget", "tingwu_hot_path_forget_row"):
                cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER tingwu_hot_path_forget AFTER {events} ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION tingwu_hot_path_forget()"
            )
            if update_when:
                cursor.execute(
                    f'CREATE TRIGGER tingwu_hot_path_forget_row AFTER UPDATE ON "{table}" '
                    f"FOR EACH ROW WHEN ({update_when}) EXECUTE FUNCTION tingwu_hot_path_forget()"
                )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            for name in ("tingwu_hot_path_forget", "tingwu_hot_path_forget_row"):
                cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        cursor.execute("DROP FUNCTION IF EXISTS tingwu_hot_path_forget()")


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0003_event_log_keys"),
        ("staff", "0001_initial"),
        ("integrations", "0001_initial"),
        ("sessions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
