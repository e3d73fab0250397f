"""The hot path's SQL on SQLite (queueing/hotpath/lite.py runs it): the statements of ``sql.py`` in SQLite's dialect.

SQLite has no data-modifying CTEs and no row locks, so each operation is a few short statements inside one
``BEGIN IMMEDIATE`` transaction taken in the writers' turn of tingwu/db/sqlite3 (the whole database is ours until
COMMIT: what a statement read is still true when the next one writes). Where the services' rule is a pure Python
function — the number's format, the ratio counter, the clock mode, within-limit, the wait's minutes — lite.py calls
that function instead of restating it; the rest (the day's number, people ahead, the calling order, the clerk's
counter check) is restated here and listed in ``sql.MIRRORS`` with its PostgreSQL twin. Values are bound as
Django's SQLite backend stores them (datetimes as naive UTC text, booleans as 0/1, JSON as ``json.dumps`` text).
"""

from __future__ import annotations

from halls.models import CounterStatus
from queueing.hotpath.sql import (
    ACTIVE_SQL,
    BT,
    BT_HALLS,
    COLUMNS,
    CTR,
    CTR_BT,
    EV,
    HANDLED,
    ISSUE_VALUES,
    SEQ,
    ST,
    T,
)
from queueing.models import TicketStatus

# The columns a new ticket gets from the request; every other column its fixed value, as ISSUE_VALUES says for
# PostgreSQL (NULL, 0, '' or false) — one list of columns for both, checked at import.
ISSUE_BOUND = (
    "hall_id",
    "business_type_id",
    "service_date",
    "prefix",
    "seq",
    "number",
    "status",
    "source",
    "priority_kind",
    "needs_accompaniment",
    "needs_form_help",
    "issued_at",
    "arrival_at",
    "public_token",
    "idempotency_key",
    "estimated_wait_minutes",
)
_LITERALS = {"NULL": None, "0": 0, "''": "", "false": 0}
ISSUE_FIXED = {c: _LITERALS[v] for c, v in ISSUE_VALUES.items() if c not in ISSUE_BOUND}
assert set(ISSUE_BOUND) | set(ISSUE_FIXED) == set(ISSUE_VALUES), "Ticket changed: update ISSUE_BOUND"
_INSERT_COLUMNS = [c for c in COLUMNS if c in ISSUE_VALUES]

VERSION_TABLE = "tingwu_hot_path_version"
VERSION = f"SELECT version FROM {VERSION_TABLE} WHERE id = 1"  # noqa: S608 - a fixed name

ISSUE_SEQ = f"""
INSERT INTO {SEQ} (hall_id, service_date, prefix, last_seq) VALUES (:hall, :date, :prefix, 1)
ON CONFLICT (hall_id, service_date, prefix) DO UPDATE SET last_seq = last_seq + 1
RETURNING last_seq
"""  # noqa: S608 - table and column names come from the models; every value is bound

ISSUE_AHEAD = f"""
SELECT count(*) FROM {T} w JOIN {BT} b ON b.id = w.business_type_id
WHERE w.hall_id = :hall AND w.service_date = :date AND w.status = '{TicketStatus.WAITING}'
  AND b.category = :category
  AND (:all_types OR w.business_type_id IN (SELECT value FROM json_each(:competing)))
  -- ahead of a new ticket: everyone already waiting, and the higher tiers (selectors.estimate_wait)
  AND (w.arrival_at <= :now OR w.green_channel
       OR (w.appt_window_start <= :now AND w.appt_window_end >= :now)
       OR (:priority_kind = '' AND w.priority_kind <> ''))
"""  # noqa: S608

ISSUE_INSERT = f"""
INSERT INTO {T} ({", ".join(_INSERT_COLUMNS)}) VALUES ({", ".join(":" + c for c in _INSERT_COLUMNS)})
RETURNING *
"""  # noqa: S608

EVENT = f"""
INSERT INTO {EV} (ticket_id, hall_id, kind, at, actor_id, counter_id, data)
VALUES (:ticket, :hall, :kind, :now, :clerk, :counter, :data)
"""  # noqa: S608

CALL_STATE = f"""
SELECT s.normal_since_priority AS nsp, c.status AS cstatus, c.serves_all, c.is_accessible, c.calling_profile,
       c.priority_ratio_normal
FROM {ST} s JOIN {CTR} c ON c.id = s.counter_id
WHERE s.counter_id = :counter
"""  # noqa: S608

CALL_BUSY = f"SELECT EXISTS (SELECT 1 FROM {T} a WHERE a.counter_id = :counter AND a.status IN {ACTIVE_SQL})"  # noqa: S608

CALL_PICK = f"""
SELECT t.id,
       CASE WHEN t.green_channel THEN 0
            WHEN t.appt_window_start <= :now AND t.appt_window_end >= :now THEN 1
            WHEN t.priority_kind <> '' THEN (CASE WHEN :pfirst THEN 2 ELSE 3 END)
            ELSE (CASE WHEN :pfirst THEN 3 ELSE 2 END) END AS tier
FROM {T} t
WHERE t.hall_id = :hall AND t.service_date = :date AND t.status = '{TicketStatus.WAITING}'
  AND (t.target_counter_id IS NULL OR t.target_counter_id = :counter)
  AND (:serves_all OR t.target_counter_id = :counter
       OR t.business_type_id IN (SELECT businesstype_id FROM {CTR_BT} WHERE counter_id = :counter))
  AND (NOT t.needs_low_counter OR :is_accessible OR t.target_counter_id = :counter
       OR NOT EXISTS (SELECT 1 FROM {CTR} lc WHERE lc.hall_id = :hall AND lc.is_accessible
                      AND lc.status = '{CounterStatus.OPEN}'))
  AND NOT EXISTS (SELECT 1 FROM {T} a WHERE a.counter_id = :counter AND a.status IN {ACTIVE_SQL})
ORDER BY tier, t.arrival_at, t.id
LIMIT 1
"""  # noqa: S608

CALL_CLAIM = f"""
UPDATE {T} SET status = '{TicketStatus.CALLED}', counter_id = :counter, clerk_id = :clerk, called_at = :now,
    first_called_at = COALESCE(first_called_at, :now), recall_count = 0, target_counter_id = NULL
WHERE id = :ticket AND status = '{TicketStatus.WAITING}'
RETURNING *
"""  # noqa: S608

CALL_RATIO = f"""
UPDATE {ST} SET normal_since_priority = :nsp, clerk_id = :clerk, changed_at = :now WHERE counter_id = :counter
"""  # noqa: S608

# The clerk's counter check (services._common.check_counter_ticket): this counter's ticket, and another clerk's
# only for a supervisor of the hall.
START_READ = f"""
SELECT t.id, b.time_limit_minutes, b.category FROM {T} t JOIN {BT} b ON b.id = t.business_type_id
WHERE t.id = :ticket AND t.counter_id = :counter AND t.hall_id = :hall AND t.status = '{TicketStatus.CALLED}'
  AND (t.clerk_id IS NULL OR t.clerk_id = :clerk OR :supervisor)
"""  # noqa: S608

START_UPDATE = f"""
UPDATE {T} SET status = '{TicketStatus.SERVING}', started_at = :now, limit_minutes = :limit, clock_mode = :mode,
    warn_share = :warn, standard_version = :version
WHERE id = :ticket AND status = '{TicketStatus.CALLED}'
RETURNING *
"""  # noqa: S608

FINISH_BUSINESSES = f"""
SELECT count(*) FROM {BT_HALLS} WHERE hall_id = :hall AND businesstype_id IN (SELECT value FROM json_each(:bts))
"""  # noqa: S608

FINISH_READ = f"""
SELECT * FROM {T} t
WHERE t.id = :ticket AND t.counter_id = :counter AND t.hall_id = :hall AND t.status = '{TicketStatus.SERVING}'
  AND (t.clerk_id IS NULL OR t.clerk_id = :clerk OR :supervisor)
"""  # noqa: S608

FINISH_UPDATE = f"""
UPDATE {T} SET status = '{TicketStatus.DONE}', finished_at = :now, outcome = :outcome, notes = :notes,
    supplement_sms_text = '', within_limit = :within
WHERE id = :ticket AND status = '{TicketStatus.SERVING}'
RETURNING *
"""  # noqa: S608

FINISH_HANDLED = f"INSERT INTO {HANDLED} (ticket_id, businesstype_id) VALUES (:ticket, :bt)"  # noqa: S608
