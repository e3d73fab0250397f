"""KPI at chain scale (issue 13, SUP-2): rollups vs. a columnar engine over the raw rows, on PostgreSQL.

    .venv/bin/pip install -e '.[bench]'     # DuckDB is a bench-only dependency
    .venv/bin/python bench/kpi_chain_bench.py [--halls 100] [--per-day 330] [--db tingwu_kpi2] [--requests 200]
    .venv/bin/python bench/kpi_chain_bench.py --reuse --db …   # no generation: (a)–(d) again on the last month made

Resets the schema of database ``--db`` (default: this worktree's own), migrates, and generates one closed month
(last month) for ``--halls`` halls in regions of 10: ``--per-day`` tickets a hall a day (10 % no-shows), an
evaluation invitation for each handled ticket (40 % answered, 3 % of those excluded by anti-gaming), one complaint
per ~300 tickets (80 % notified, 6 % of those reopened within the window), all by INSERT … SELECT over
generate_series with the tables' foreign keys, unique constraints and secondary indexes dropped and rebuilt after
(``bulk_load``). The full issue size is ``--halls 1000`` (≈ 10 M tickets); the default is the scale factor 1/10.
``--reuse`` keeps the generated month and recomputes its rollups ((a) is that recompute) before (b)–(d).

Measures, in the same run:
  (a) the nightly rollup of one day for all halls (``kpi.rollup.rollup_range``), and every other day of the month;
  (b) the monthly KPI figures for the chain and for one region from the rollups (``kpi.selectors.month_figures``);
  (c) the same figures straight from the raw rows by DuckDB: the tables are exported with COPY to CSV first (DuckDB's
      postgres extension is not available offline), loaded, then queried — load and query timed apart;
and compares (b) and (c) number for number; then (d) the manager's dashboard ``/kpi/?hall=…`` p50/p99 through
Django's test client. Figures go to docs/performance.md (section "KPI at chain scale").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench_kpi"
HALLS_PER_REGION = 10


def setup(db: str, reuse: bool, migrate: bool = True) -> None:
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{db}"
    if not reuse:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)


def seed_core(n_halls: int):
    from django.contrib.auth import get_user_model

    from staff.models import HallRole, StaffProfile
    from standard.services import standard_seed_v1
    from tests import factories as f

    standard_seed_v1()
    regions = [f.region(f"BR{i:03d}") for i in range((n_halls + HALLS_PER_REGION - 1) // HALLS_PER_REGION)]
    halls = [f.hall(regions[i // HALLS_PER_REGION], code=f"BH{i:04d}") for i in range(n_halls)]
    bt = f.business_type("BENCH", halls=halls)
    User = get_user_model()
    clerks = User.objects.bulk_create(
        [User(username=f"bclerk{i}", password="!") for i in range(n_halls * 10)]
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(user=u, full_name=f"员工{u.pk}", employee_number=f"B{u.pk:06d}", post="柜员")
            for u in clerks
        ]
    )
    manager = f.user("bench_manager", hall_roles=[(halls[0], HallRole.HALL_MANAGER)])
    return regions, halls, bt, clerks, manager


def _fill(cur, table: str, given: dict[str, str], source: str) -> None:
    """INSERT … SELECT with the given column expressions; every other NOT NULL column gets a neutral value of its
    type (Django keeps defaults in Python, not in the schema)."""
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO'"
        " AND column_default IS NULL AND column_name <> 'id'",
        [table],
    )
    neutral = {"boolean": "false", "jsonb": "'{}'::jsonb", "date": "current_date"}
    cols = dict(given)
    for name, kind in cur.fetchall():
        if name not in cols:
            if kind.startswith("timestamp"):
                cols[name] = "now()"
            elif kind in ("integer", "smallint", "bigint", "double precision"):
                cols[name] = "0"
            else:
                cols[name] = neutral.get(kind, "''")
    t0 = time.perf_counter()
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols.values())} FROM {source}")
    print(f"    {table}: {cur.rowcount:,} rows in {time.perf_counter() - t0:.1f} s")


RAW_TABLES = (
    "queueing_ticket",
    "evaluations_evaluationinvitation",
    "evaluations_evaluation",
    "complaints_complaint",
    "complaints_complaintevent",
)


@contextmanager
def bulk_load(cur, tables=RAW_TABLES):
    """A bulk load the PostgreSQL way: the tables' foreign keys, unique constraints and secondary indexes are dropped
    before the INSERT … SELECT and built again after it in one pass each (a foreign key is then checked by one join,
    not by a deferred trigger per row; an index is sorted once, not updated row by row). Primary keys stay."""
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u') ORDER BY contype",
        [list(tables)],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(tables)],
    )
    indexes = cur.fetchall()
    for table, name, _def in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _def in indexes:
        cur.execute(f"DROP INDEX {name}")
    cur.execute("SET maintenance_work_mem = '512MB'")
    cur.execute("SET synchronous_commit = off")
    yield
    t0 = time.perf_counter()
    for _name, definition in indexes:
        cur.execute(definition)
    for table, name, definition in reversed(constraints):  # unique constraints first, then the foreign keys
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cur.execute("RESET maintenance_work_mem")
    cur.execute("RESET synchronous_commit")
    print(f"    indexes and constraints rebuilt in {time.perf_counter() - t0:.1f} s")


def seed_month(month, halls, bt, clerks, per_day: int) -> dict:
    """Raw rows by SQL (generate_series): the month's tickets, invitations, evaluations, complaints, events."""
    from django.db import connection

    from lib.months import add_months

    days = (add_months(month, 1) - month).days
    hall_ids = [h.pk for h in halls]
    first_clerk = clerks[0].pk
    with connection.cursor() as cur, bulk_load(cur):
        cur.execute("CREATE TEMP TABLE bench_halls (idx int, hall_id bigint, region_id bigint)")
        cur.executemany(
            "INSERT INTO bench_halls VALUES (%s, %s, %s)",
            [(i, h.pk, h.region_id) for i, h in enumerate(halls)],
        )
        # one row per (hall, day, i): r1 decides no-show / late, the clerk is one of the hall's ten
        src = (
            f"bench_halls h CROSS JOIN generate_series(0, {days - 1}) d CROSS JOIN generate_series(1, {per_day}) i"
            f" CROSS JOIN LATERAL (SELECT abs(hashtext(h.hall_id || '-' || d || '-' || i)) % 1000 AS r) x"
        )
        at = f"(timestamptz '{month:%Y-%m-%d} 09:00+08' + d * interval '1 day' + i * interval '80 seconds')"
        _fill(
            cur,
            "queueing_ticket",
            {
                "service_date": f"date '{month:%Y-%m-%d}' + d",
                "hall_id": "h.hall_id",
                "business_type_id": str(bt.pk),
                "clerk_id": f"{first_clerk} + h.idx * 10 + (i % 10)",
                "prefix": "'A'",
                "seq": "i",
                "number": "'A' || lpad(i::text, 4, '0')",
                "status": "CASE WHEN x.r < 100 THEN 'no_show' ELSE 'done' END",
                "issued_at": at,
                "arrival_at": at,
                "started_at": f"CASE WHEN x.r < 100 THEN NULL ELSE {at} END",
                "finished_at": f"CASE WHEN x.r < 100 THEN NULL ELSE {at} + interval '9 minutes' END",
                "limit_minutes": "15",
                "within_limit": "CASE WHEN x.r < 100 THEN NULL ELSE x.r >= 130 END",
                "clock_mode": "'start'",
                "public_token": "md5(h.hall_id || '-' || d || '-' || i)",
            },
            src,
        )
        handled = (
            "queueing_ticket t JOIN bench_halls h ON h.hall_id = t.hall_id WHERE t.within_limit IS NOT NULL"
        )
        _fill(
            cur,
            "evaluations_evaluationinvitation",
            {
                "ticket_id": "t.id",
                "hall_id": "t.hall_id",
                "region_id": "h.region_id",
                "clerk_id": "t.clerk_id",
                "business_type_id": "t.business_type_id",
                "invited_at": "t.finished_at",
                "pad_until": "t.finished_at + interval '2 minutes'",
                "expires_at": "t.finished_at + interval '1 day'",
                "status": "CASE WHEN t.id % 10 < 4 THEN 'answered' ELSE 'expired' END",
            },
            handled,
        )
        _fill(
            cur,
            "evaluations_evaluation",
            {
                "invitation_id": "v.id",
                "ticket_id": "v.ticket_id",
                "hall_id": "v.hall_id",
                "region_id": "v.region_id",
                "clerk_id": "v.clerk_id",
                "business_type_id": "v.business_type_id",
                "level": "CASE WHEN v.id % 50 = 0 THEN 2 WHEN v.id % 50 = 1 THEN 3 ELSE 4 + v.id % 2 END",
                "channel": "'pad'",
                "submitted_at": "v.invited_at + interval '1 minute'",
                "valid": "v.id % 33 <> 5",
            },
            "evaluations_evaluationinvitation v WHERE v.status = 'answered'",
        )
        # hashed, not t.id % 300: ids run hall-innermost, so a plain modulus would pick one hall
        _fill(
            cur,
            "complaints_complaint",
            {
                "number": "'TS' || t.id",
                "hall_id": "t.hall_id",
                "business_type_id": "t.business_type_id",
                "ticket_id": "t.id",
                "accepted_at": "t.finished_at + interval '30 minutes'",
                "channel": "'hall'",
                "kind": "'general'",
                "status": "'accepted'",
                "suggestion_reasons": "'[]'::jsonb",
            },
            f"{handled} AND abs(hashtext(t.id::text)) % 300 = 7",
        )
        _fill(
            cur,
            "complaints_complaintevent",
            {
                "complaint_id": "c.id",
                "hall_id": "c.hall_id",
                "kind": "'notified'",
                "at": "c.accepted_at + interval '2 days'",
                "data": "'{}'::jsonb",
            },
            "complaints_complaint c WHERE c.id % 5 <> 0",
        )
        _fill(
            cur,
            "complaints_complaintevent",
            {
                "complaint_id": "c.id",
                "hall_id": "c.hall_id",
                "kind": "'reopened'",
                "at": "c.accepted_at + interval '6 days'",
                "data": "'{}'::jsonb",
            },
            "complaints_complaint c WHERE c.id % 5 <> 0 AND c.id % 17 = 3",
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        counts = {}
        for t in (
            "queueing_ticket",
            "evaluations_evaluation",
            "complaints_complaint",
            "complaints_complaintevent",
        ):
            cur.execute(f"SELECT count(*) FROM {t}")
            counts[t] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM evaluations_evaluationinvitation")
        counts["evaluations_evaluationinvitation"] = cur.fetchone()[0]
    counts["halls"] = len(hall_ids)
    return counts


def timed(fn, runs: int = 1):
    best, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best.append(time.perf_counter() - t0)
    return out, statistics.median(best)


# Instants travel as epoch seconds: no time-zone parsing on the DuckDB side (its ICU extension may be absent).
EPOCH = "extract(epoch FROM {})::double precision AS ts"
EXPORTS = {
    "tickets": "SELECT t.service_date, t.hall_id, h.region_id, t.within_limit FROM queueing_ticket t"
    " JOIN halls_hall h ON h.id = t.hall_id",
    "evaluations": f"SELECT hall_id, region_id, level, valid, {EPOCH.format('submitted_at')}"
    " FROM evaluations_evaluation",
    "invitations": f"SELECT hall_id, region_id, status, {EPOCH.format('invited_at')}"
    " FROM evaluations_evaluationinvitation",
    "complaints": f"SELECT c.id, c.hall_id, h.region_id, {EPOCH.format('c.accepted_at')} FROM complaints_complaint c"
    " JOIN halls_hall h ON h.id = c.hall_id",
    "events": f"SELECT complaint_id, kind, {EPOCH.format('at')} FROM complaints_complaintevent"
    " WHERE kind IN ('notified', 'reopened')",
}


def export_csv() -> None:
    from django.db import connection

    OUT.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    raw = connection.connection
    for name, sql in EXPORTS.items():
        with raw.cursor() as cur, open(OUT / f"{name}.csv", "wb") as fh:
            with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for chunk in copy:
                    fh.write(chunk)


def duck_load():
    import duckdb

    con = duckdb.connect()
    for name in EXPORTS:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{OUT / name}.csv')")
    return con


def duck_figures(con, month, window_days: int, region_id: int | None) -> dict:
    """The four month figures straight from the raw rows (Shanghai calendar days), for the chain or one region."""
    from kpi.definitions import day_bounds, month_end

    start, end = day_bounds(month)[0].timestamp(), day_bounds(month_end(month))[1].timestamp()
    window = window_days * 86400
    where = "" if region_id is None else f" AND region_id = {region_id}"
    q = {
        "on_time": "SELECT count(*) FILTER (WHERE within_limit), count(*) FROM tickets WHERE within_limit IS NOT NULL"
        f" AND service_date >= date '{month:%Y-%m-%d}' AND service_date < date '{month:%Y-%m-%d}' + interval '1 month'"
        f"{where}",
        "satisfaction": f"SELECT count(*) FILTER (WHERE level >= 4), count(*) FROM evaluations WHERE valid"
        f" AND ts >= {start} AND ts < {end}{where}",
        "evaluation_response": f"SELECT count(*) FILTER (WHERE status = 'answered'), count(*) FROM invitations"
        f" WHERE ts >= {start} AND ts < {end}{where}",
        "complaint_resolution": f"""
            WITH c AS (SELECT id FROM complaints WHERE ts >= {start} AND ts < {end}{where}),
            n AS (SELECT complaint_id, min(ts) AS at FROM events WHERE kind = 'notified' GROUP BY 1),
            r AS (SELECT n.complaint_id FROM n JOIN events e ON e.complaint_id = n.complaint_id
                  WHERE e.kind = 'reopened' AND e.ts > n.at AND e.ts <= n.at + {window})
            SELECT count(n.at) FILTER (WHERE c.id NOT IN (SELECT complaint_id FROM r)), count(*),
                   count(*) FILTER (WHERE n.at IS NULL)
            FROM c LEFT JOIN n ON n.complaint_id = c.id""",
    }
    out = {}
    for code, sql in q.items():
        row = con.execute(sql).fetchone()
        out[code] = (float(row[0]), float(row[1]), float(row[2]) if len(row) > 2 else 0.0)
    return out


def rollup_figures(scope, month) -> dict:
    from kpi.selectors import month_figures

    figs = month_figures(scope, month)
    return {c: (figs[c].numerator, figs[c].denominator, figs[c].pending) for c in figs}


def dashboard_latency(manager, hall, month, n: int) -> tuple[float, float]:
    from django.test import Client

    client = Client()
    client.force_login(manager)
    url = f"/kpi/?hall={hall.code}&month={month:%Y-%m}"
    assert client.get(url).status_code == 200
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.99 * len(samples)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--halls", type=int, default=100)
    ap.add_argument("--per-day", type=int, default=330)
    ap.add_argument("--db", default="tingwu_kpi2")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--reuse", action="store_true", help="keep the month generated by the last run (rollups redone)"
    )
    args = ap.parse_args()
    started = time.perf_counter()
    setup(args.db, args.reuse)
    from django.utils import timezone

    from kpi.definitions import local_day
    from kpi.rollup import rollup_range
    from kpi.selectors import Scope
    from lib.months import add_months
    from standard.services import standard_in_force

    month = add_months(local_day(timezone.now()).replace(day=1), -1)
    if args.reuse:
        from django.contrib.auth import get_user_model

        from halls.models import Hall, Region

        halls = list(Hall.objects.filter(code__startswith="BH").order_by("code"))
        regions = list(Region.objects.filter(code__startswith="BR").order_by("code"))
        manager = get_user_model().objects.get(username="bench_manager")
        print(f"month {month:%Y-%m}: reusing {len(halls)} halls generated by the last run")
    else:
        (regions, halls, bt, clerks, manager), t_core = timed(lambda: seed_core(args.halls))
        print(f"halls, clerks and the standard in {t_core:.1f} s")
        counts, t_seed = timed(lambda: seed_month(month, halls, bt, clerks, args.per_day))
        print(f"month {month:%Y-%m}: {counts} generated in {t_seed:.1f} s")
    days = [month + timedelta(days=i) for i in range((add_months(month, 1) - month).days)]
    mid = days[14]
    _rows, t_day = timed(lambda: rollup_range(day_from=mid, day_to=mid))
    print(f"(a) nightly rollup of {mid} for {len(halls)} halls: {t_day:.2f} s ({_rows} rows)")
    t_all = time.perf_counter()
    for d in days:
        if d != mid:
            rollup_range(day_from=d, day_to=d)
    print(f"    the other {len(days) - 1} days: {time.perf_counter() - t_all:.1f} s")
    region = regions[0]
    region_halls = [h.pk for h in halls if h.region_id == region.pk]
    chain_b, t_chain = timed(lambda: rollup_figures(Scope("chain", hall_ids=None), month), args.runs)
    region_b, t_region = timed(
        lambda: rollup_figures(Scope("region", hall_ids=region_halls), month), args.runs
    )
    print(
        f"(b) from rollups: chain {t_chain * 1000:.1f} ms, region {t_region * 1000:.1f} ms (median of {args.runs})"
    )
    _none, t_export = timed(export_csv)
    con, t_load = timed(duck_load)
    window = int(standard_in_force()["kpi.complaint_reopen_window_days"])
    chain_c, t_dchain = timed(lambda: duck_figures(con, month, window, None), args.runs)
    region_c, t_dregion = timed(lambda: duck_figures(con, month, window, region.pk), args.runs)
    print(
        f"(c) DuckDB from raw rows: export (COPY → CSV) {t_export:.1f} s, load {t_load:.1f} s; "
        f"query chain {t_dchain * 1000:.1f} ms, region {t_dregion * 1000:.1f} ms (median of {args.runs})"
    )
    ok = True
    for label, b, c in (("chain", chain_b, chain_c), (f"region {region.code}", region_b, region_c)):
        for code, (num, den, pend) in c.items():
            same = b[code] == (num, den, pend if code == "complaint_resolution" else b[code][2])
            ok &= same
            print(
                f"    {label:>12} {code:<21} rollups {b[code][:2]}  duckdb {(num, den)}  {'equal' if same else 'DIFFER'}"
            )
    print(f"    figures equal: {ok}; (b) ≤ (c): chain {t_chain <= t_dchain}, region {t_region <= t_dregion}")
    p50, p99 = dashboard_latency(manager, halls[0], month, args.requests)
    print(
        f"(d) manager dashboard /kpi/?hall={halls[0].code}: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({args.requests} req)"
    )
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"whole run: {time.perf_counter() - started:.0f} s")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
