"""The hot path's SQL (queueing/hotpath/ops.py runs it): one statement per operation, named after the service it
mirrors in ``queueing.services``. Table and column names come from the models; every value is a bound parameter.

- ``ISSUE_SQL`` — ``ticket_issue``: the day's number by upsert of ``DailySequence`` in the same statement as the
  insert (gapless: a failed insert rolls the increment back), the wait estimate's people-ahead count, the event.
- ``CALL_SQL`` — ``ticket_call_next``: lock the counter's queue state, pick by the calling rules (docs/queueing.md)
  with ``FOR UPDATE SKIP LOCKED``, claim by primary key, move the priority-ratio counter, write the event.
- ``START_SQL`` — ``handling_start``: the limit and clock mode from the standard in force (BIZ-2.2).
- ``FINISH_SQL`` — ``handling_finish`` without missing materials: within-limit judged as ``Ticket.clock`` does.
"""

from __future__ import annotations

from catalog.models import BusinessCategory, BusinessType
from halls.models import CallingProfile, Counter, CounterStatus
from queueing.hotpath.mirrors import Mirror
from queueing.models import (
    ACTIVE_STATUSES,
    ClockMode,
    CounterState,
    DailySequence,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)

T = Ticket._meta.db_table
EV = TicketEvent._meta.db_table
ST = CounterState._meta.db_table
SEQ = DailySequence._meta.db_table
CTR = Counter._meta.db_table
CTR_BT = Counter.business_types.through._meta.db_table
BT = BusinessType._meta.db_table
BT_HALLS = BusinessType.halls.through._meta.db_table
HANDLED = Ticket.handled_business_types.through._meta.db_table
FIELDS = [f for f in Ticket._meta.concrete_fields]
COLUMNS = [f.column for f in FIELDS]
ATTNAMES = [f.attname for f in FIELDS]
ACTIVE = tuple(ACTIVE_STATUSES)
# The active statuses as literals, exactly as the partial unique index ``ticket_one_active_per_counter`` is defined:
# with a bound array (``= ANY(%s)``) a generic plan cannot prove that index's predicate and scanned every ticket
# the counter ever served, a cost that grew through a busy day (docs/performance.md).
ACTIVE_SQL = "(" + ", ".join(f"'{s}'" for s in ACTIVE) + ")"

# Every column of the new row, by name: a field added to Ticket must be added here (checked at import), so the hot
# insert can never silently leave a new column to a database default the ORM would not have used.
ISSUE_VALUES = {
    "hall_id": "%(hall)s::bigint",
    "business_type_id": "%(bt)s::bigint",
    "service_date": "%(date)s::date",
    "prefix": "%(prefix)s::varchar",
    "seq": "s.last_seq",
    "number": "%(prefix)s::varchar || CASE WHEN s.last_seq < 1000 THEN lpad(s.last_seq::text, 3, '0')"
    " ELSE s.last_seq::text END",
    "status": f"'{TicketStatus.WAITING}'",
    "source": "%(source)s::varchar",
    "priority_kind": "%(priority_kind)s::varchar",
    "green_channel": "false",
    "needs_accompaniment": "%(accompany)s::boolean",
    "needs_form_help": "%(form_help)s::boolean",
    "needs_low_counter": "false",  # the kiosk device API does not take the flag; the kiosk page and greeter do
    "issued_at": "%(now)s::timestamptz",
    "arrival_at": "%(now)s::timestamptz",
    "public_token": "%(public_token)s::varchar",
    "idempotency_key": "%(key)s::varchar",
    "estimated_wait_minutes": "CASE WHEN a.n > 0 OR %(residual)s::float8 > 0"
    " THEN ceil((a.n::float8 / %(servers)s::int + %(residual)s::float8) * %(mean)s::float8)::int ELSE 0 END",
    **dict.fromkeys(
        [
            "appointment_id",
            "appt_window_start",
            "appt_window_end",
            "customer_id",
            "counter_id",
            "target_counter_id",
            "clerk_id",
            "first_called_at",
            "called_at",
            "started_at",
            "confirmed_at",
            "finished_at",
            "no_show_at",
            "suspended_at",
            "limit_minutes",
            "warn_share",
            "standard_version",
            "within_limit",
        ],
        "NULL",
    ),
    **dict.fromkeys(["suspended_seconds", "recall_count"], "0"),
    **dict.fromkeys(["closed_reason", "clock_mode", "outcome", "notes", "supplement_sms_text"], "''"),
}
assert set(ISSUE_VALUES) == {f.column for f in FIELDS if not f.primary_key}, (
    "Ticket changed: update ISSUE_VALUES"
)
ISSUE_SQL = f"""
WITH s AS (
    INSERT INTO {SEQ} (hall_id, service_date, prefix, last_seq) VALUES (%(hall)s, %(date)s, %(prefix)s, 1)
    ON CONFLICT (hall_id, service_date, prefix) DO UPDATE SET last_seq = {SEQ}.last_seq + 1
    RETURNING last_seq
), a AS (
    SELECT count(*) AS n FROM {T} w JOIN {BT} b ON b.id = w.business_type_id
    WHERE w.hall_id = %(hall)s AND w.service_date = %(date)s AND w.status = '{TicketStatus.WAITING}'
      AND b.category = %(category)s AND (%(all_types)s OR w.business_type_id = ANY(%(competing)s::bigint[]))
      -- ahead of a new ticket: everyone already waiting, and the higher tiers (selectors.estimate_wait)
      AND (w.arrival_at <= %(now)s OR w.green_channel
           OR (w.appt_window_start <= %(now)s AND w.appt_window_end >= %(now)s)
           OR (%(priority_kind)s = '' AND w.priority_kind <> ''))
), t AS (
    INSERT INTO {T} ({", ".join(ISSUE_VALUES)})
    SELECT {", ".join(ISSUE_VALUES.values())} FROM s, a
    RETURNING *
), e AS (
    INSERT INTO {EV} (ticket_id, hall_id, kind, at, actor_id, counter_id, data)
    SELECT t.id, t.hall_id, '{TicketEventKind.ISSUED}', %(now)s, NULL, NULL, jsonb_build_object('source', %(source)s::text, 'ahead', a.n)
    FROM t, a
)
SELECT t.*, a.n FROM t, a
"""  # noqa: S608 - table and column names come from the models; every value is bound

CALL_SQL = f"""
WITH st AS MATERIALIZED (
    SELECT s.counter_id, s.normal_since_priority AS nsp, c.status AS cstatus, c.serves_all, c.is_accessible,
           (c.calling_profile = '{CallingProfile.PRIORITY_FIRST}' OR s.normal_since_priority >= c.priority_ratio_normal) AS pfirst
    FROM {ST} s JOIN {CTR} c ON c.id = s.counter_id
    WHERE s.counter_id = %(counter)s
    FOR NO KEY UPDATE OF s, c
), pick AS MATERIALIZED (
    SELECT t.id,
           CASE WHEN t.green_channel THEN 0
                WHEN t.appt_window_start <= %(now)s AND t.appt_window_end >= %(now)s THEN 1
                WHEN t.priority_kind <> '' THEN (CASE WHEN st.pfirst THEN 2 ELSE 3 END)
                ELSE (CASE WHEN st.pfirst THEN 3 ELSE 2 END) END AS tier
    FROM {T} t, st
    WHERE st.cstatus = '{CounterStatus.OPEN}' AND t.hall_id = %(hall)s AND t.service_date = %(date)s
      AND t.status = '{TicketStatus.WAITING}'
      AND (t.target_counter_id IS NULL OR t.target_counter_id = %(counter)s)
      AND (st.serves_all OR t.target_counter_id = %(counter)s
           OR t.business_type_id IN (SELECT businesstype_id FROM {CTR_BT} WHERE counter_id = %(counter)s))
      AND (NOT t.needs_low_counter OR st.is_accessible OR t.target_counter_id = %(counter)s
           OR NOT EXISTS (SELECT 1 FROM {CTR} lc WHERE lc.hall_id = %(hall)s AND lc.is_accessible
                          AND lc.status = '{CounterStatus.OPEN}'))
      AND NOT EXISTS (SELECT 1 FROM {T} a WHERE a.counter_id = %(counter)s AND a.status IN {ACTIVE_SQL})
    ORDER BY tier, t.arrival_at, t.id
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
), upd AS (
    -- by primary key (a join with the CTE made the planner walk every waiting ticket)
    UPDATE {T} t SET status = '{TicketStatus.CALLED}', counter_id = %(counter)s, clerk_id = %(clerk)s, called_at = %(now)s,
        first_called_at = COALESCE(t.first_called_at, %(now)s), recall_count = 0, target_counter_id = NULL
    WHERE t.id = (SELECT id FROM pick) AND t.status = '{TicketStatus.WAITING}'
    RETURNING t.*, (SELECT tier FROM pick) AS tier
), sup AS (
    UPDATE {ST} s SET
        normal_since_priority = CASE WHEN upd.priority_kind <> '' THEN 0
                                     WHEN upd.tier >= 2 THEN LEAST(s.normal_since_priority + 1, 1000)
                                     ELSE s.normal_since_priority END,
        clerk_id = %(clerk)s, changed_at = %(now)s
    FROM upd WHERE s.counter_id = %(counter)s
), e AS (
    INSERT INTO {EV} (ticket_id, hall_id, kind, at, actor_id, counter_id, data)
    SELECT upd.id, upd.hall_id, '{TicketEventKind.CALLED}', %(now)s, %(clerk)s, %(counter)s, jsonb_build_object('tier', upd.tier)
    FROM upd
)
SELECT upd.*, (SELECT cstatus FROM st) AS cstatus,
       EXISTS (SELECT 1 FROM {T} a WHERE a.counter_id = %(counter)s AND a.status IN {ACTIVE_SQL}) AS busy
FROM (SELECT 1) one LEFT JOIN upd ON true
"""  # noqa: S608

START_SQL = f"""
WITH upd AS (
    UPDATE {T} t SET status = '{TicketStatus.SERVING}', started_at = %(now)s, limit_minutes = lim.v,
        clock_mode = CASE WHEN COALESCE(lim.v, 0) = 0 THEN '{ClockMode.NONE}'
                          WHEN b.category = '{BusinessCategory.COMPLEX}' THEN '{ClockMode.FROM_CONFIRM}'
                          ELSE '{ClockMode.FROM_START}' END,
        warn_share = %(warn)s, standard_version = %(version)s
    FROM {BT} b, LATERAL (SELECT CASE WHEN b.time_limit_minutes > 0 THEN b.time_limit_minutes
                                      WHEN b.category = '{BusinessCategory.COMPLEX}' THEN %(complex)s
                                      WHEN b.category = '{BusinessCategory.BASIC}' THEN %(basic)s END AS v) lim
    WHERE t.id = %(ticket)s AND t.counter_id = %(counter)s AND t.hall_id = %(hall)s AND t.status = '{TicketStatus.CALLED}'
      AND b.id = t.business_type_id AND (t.clerk_id IS NULL OR t.clerk_id = %(clerk)s OR %(supervisor)s)
    RETURNING t.*
), e AS (
    INSERT INTO {EV} (ticket_id, hall_id, kind, at, actor_id, counter_id, data)
    SELECT upd.id, upd.hall_id, '{TicketEventKind.STARTED}', %(now)s, %(clerk)s, %(counter)s,
           jsonb_build_object('limit', upd.limit_minutes)
    FROM upd
)
SELECT * FROM upd
"""  # noqa: S608

FINISH_SQL = f"""
WITH upd AS (
    UPDATE {T} t SET status = '{TicketStatus.DONE}', finished_at = %(now)s, outcome = %(outcome)s, notes = %(notes)s,
        supplement_sms_text = '',
        -- handling_finish's judgement (Ticket.clock with finished_at = now; the limit was fixed at start)
        within_limit = CASE
            WHEN COALESCE(t.limit_minutes, 0) = 0 THEN NULL
            WHEN t.clock_mode = '{ClockMode.FROM_START}' AND t.started_at IS NOT NULL
                OR t.clock_mode = '{ClockMode.FROM_CONFIRM}' AND t.confirmed_at IS NOT NULL
            THEN t.limit_minutes * 60 - GREATEST(0, trunc(extract(epoch FROM %(now)s - CASE t.clock_mode
                     WHEN '{ClockMode.FROM_START}' THEN t.started_at ELSE t.confirmed_at END))::int
                     - t.suspended_seconds) >= 0
            ELSE extract(epoch FROM %(now)s - t.started_at) - t.suspended_seconds <= t.limit_minutes * 60 END
    WHERE t.id = %(ticket)s AND t.counter_id = %(counter)s AND t.hall_id = %(hall)s AND t.status = '{TicketStatus.SERVING}'
      AND (t.clerk_id IS NULL OR t.clerk_id = %(clerk)s OR %(supervisor)s)
      AND (SELECT count(*) FROM {BT_HALLS} bh
           WHERE bh.hall_id = t.hall_id AND bh.businesstype_id = ANY(%(bts)s::bigint[])) = %(n_bts)s
    RETURNING t.*
), h AS (
    INSERT INTO {HANDLED} (ticket_id, businesstype_id) SELECT upd.id, b FROM upd, unnest(%(bts)s::bigint[]) b
), e AS (
    INSERT INTO {EV} (ticket_id, hall_id, kind, at, actor_id, counter_id, data)
    SELECT upd.id, upd.hall_id, '{TicketEventKind.FINISHED}', %(now)s, %(clerk)s, %(counter)s,
           jsonb_build_object('outcome', %(outcome)s::text, 'within_limit', upd.within_limit, 'missing', '[]'::jsonb)
    FROM upd
)
SELECT * FROM upd
"""  # noqa: S608

# --- the contract (issue 9 §1): every rule above has one home in Django's path --------------------------------
# Each Python function named here says "mirrored in queueing/hotpath/…: <twin>" in its docstring, and
# tests/queueing/test_hot_path_mirrors.py fails when one side changes without the other (queueing/hotpath/mirrors.py).
# On SQLite (lite.py, statements in sqlite_sql.py) the same rules: restated in SQL where they read the queue, the
# services' own functions called where they are pure Python (format_number, next_normal_since_priority,
# clock_mode_for, within_limit, wait_minutes) — listed here so that their fingerprints are recorded too.
_S = "queueing.hotpath.sql."
_L = "queueing.hotpath.sqlite_sql."
_LO = "queueing.hotpath.lite."
MIRRORS: tuple[Mirror, ...] = (
    Mirror(
        "numbering",
        ("queueing.services.issuing.next_seq", "queueing.services.issuing.format_number"),
        (_S + "ISSUE_SQL", _L + "ISSUE_SEQ", _LO + "_issue"),
        "ENV-2.2: the day's gapless number per prefix, zero-padded to three digits",
    ),
    Mirror(
        "calling order",
        (
            "queueing.services.calling.call_candidates",
            "queueing.services.calling.priority_first_now",
            "queueing.services.calling.calling_order",
            "queueing.services.calling._pick_queryset",
            "queueing.services.calling.ticket_call_next",
            "queueing.services.calling.next_normal_since_priority",
        ),
        (
            _S + "CALL_SQL",
            _L + "CALL_STATE",
            _L + "CALL_PICK",
            _L + "CALL_CLAIM",
            _L + "CALL_BUSY",
            _LO + "_call_next",
        ),
        "BIZ-4 tiers, the priority ratio, low counters, one active ticket per counter",
    ),
    Mirror(
        "wait estimate",
        (
            "queueing.selectors.ahead_queryset",
            "queueing.selectors.estimate_wait",
            "queueing.selectors.wait_minutes",
        ),
        (_S + "ISSUE_SQL", "queueing.hotpath.ops.issue", _L + "ISSUE_AHEAD"),
        "people ahead (count in SQL), open counters and the residual half-service (ops.issue)",
    ),
    Mirror(
        "time limits",
        (
            "catalog.models.BusinessType.time_limit",
            "queueing.services.handling.handling_start",
            "queueing.services.handling.clock_mode_for",
        ),
        (_S + "START_SQL", _LO + "_start"),
        "BIZ-2.2: the limit and clock mode from the standard in force at start",
    ),
    Mirror(
        "within limit",
        (
            "queueing.models.Ticket.clock",
            "queueing.models.Ticket.clock_started_at",
            "queueing.services.handling.handling_finish",
            "queueing.services.handling.within_limit",
        ),
        (_S + "FINISH_SQL", _LO + "_finish"),
        "BIZ-2.2: judged at finish by the limit fixed at start, time suspended not counted",
    ),
    Mirror(
        "counter check",
        ("queueing.services._common.check_counter_ticket",),
        (
            _S + "START_SQL",
            _S + "FINISH_SQL",
            "queueing.hotpath.asgi.serve",
            _L + "START_READ",
            _L + "FINISH_READ",
        ),
        "this counter's ticket; another clerk's only for a supervisor of the hall",
    ),
    Mirror(
        "token kinds",
        ("queueing.api.devices.issue_source",),
        ("queueing.hotpath.ops.issue",),
        "which device tokens issue tickets, and the ticket's source for each",
    ),
)
