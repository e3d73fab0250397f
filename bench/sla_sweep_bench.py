"""Benchmark: the SLA sweep on PostgreSQL — its "find due clocks" query with 1M open clocks (issue 4, target ≤ 50 ms)
and a whole pass over 300 clocks that breach and climb the escalation ladder at once (issue 14, target ≤ 0.5 s).

Usage:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tingwu_bench_sla .venv/bin/python bench/sla_sweep_bench.py
        [--clocks 1000000] [--due 300] [--runs 30] [--write]

The ladder pass is measured twice in the same run on the same seed: the set-based ``sla_sweep`` and, as the
baseline, the per-clock algorithm it replaced (one transaction, one event INSERT and one notice INSERT per rung and
clock), replayed here with today's planning code so that only the writing differs.

It creates the database if needed, migrates, fills ``sla_clock`` with ``INSERT … SELECT generate_series`` (open
clocks whose next check is hours away, a few hundred already due, plus closed clocks with no next check), then times
the exact query ``sla_sweep`` runs — with the partial index ``sla_clock_due`` and, as a baseline in the same run,
with index scans disabled (a full scan). ``--write`` replaces this benchmark's section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
MARK_BEGIN = "<!-- bench:sla_sweep begin -->"
MARK_END = "<!-- bench:sla_sweep end -->"


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def seed(clocks: int, due: int, closed: int) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from halls.models import Hall, Region
    from standard.services import standard_seed_v1

    version = standard_seed_v1()
    region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "基准测试区域"})
    hall, _ = Hall.objects.get_or_create(code="BENCH", defaults={"name": "基准测试营业厅", "region": region})
    ct = ContentType.objects.get_for_model(Hall)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE sla_clockevent, sla_clock RESTART IDENTITY CASCADE")
        # Open clocks: the next check (warn time) is 1 to 73 hours away (none falls due while a slow seed runs); the
        # first ``due`` are overdue.
        cur.execute(
            """
            INSERT INTO sla_clock (hall_id, content_type_id, object_id, target, cycle, status, calendar,
                standard_version_id, target_seconds, warn_share, escalation_step_seconds, started_at, deadline,
                warn_at, paused_seconds, escalation_level, next_check_at, created_at)
            SELECT %(hall)s, %(ct)s, g, 'complaint_general_solution', 1, 'running', 'clock', %(version)s, 86400, 0.75,
                43200, t.start, t.start + interval '24 hours', t.start + interval '18 hours', 0, 0,
                t.start + interval '18 hours', t.start
            FROM generate_series(1, %(n)s) AS g,
                LATERAL (SELECT CASE WHEN g <= %(due)s
                    THEN now() - interval '18 hours' - (g %% 60 + 1) * interval '1 minute'
                    ELSE now() - interval '18 hours' + (60 + (g::bigint * 7919) %% 4320) * interval '1 minute'
                END AS start) AS t
            """,
            {"hall": hall.pk, "ct": ct.pk, "version": version.pk, "n": clocks, "due": due},
        )
        # Closed clocks (met long ago): no next check, so they are not in the partial index at all.
        cur.execute(
            """
            INSERT INTO sla_clock (hall_id, content_type_id, object_id, target, cycle, status, calendar,
                standard_version_id, target_seconds, warn_share, escalation_step_seconds, started_at, deadline,
                warn_at, paused_seconds, escalation_level, next_check_at, met_at, created_at)
            SELECT %(hall)s, %(ct)s, g, 'complaint_first_contact', 1, 'met', 'clock', %(version)s, 7200, 0.75, 3600,
                now() - interval '30 days', now() - interval '30 days' + interval '2 hours',
                now() - interval '30 days' + interval '90 minutes', 0, 0, NULL, now() - interval '30 days',
                now() - interval '30 days'
            FROM generate_series(1, %(n)s) AS g
            """,
            {"hall": hall.pk, "ct": ct.pk, "version": version.pk, "n": closed},
        )
        cur.execute("ANALYZE sla_clock")
    return {"seed_seconds": time.perf_counter() - started}


def time_query(runs: int, *, full_scan: bool) -> tuple[list[float], int, str]:
    from django.db import connection, transaction
    from django.utils import timezone

    from sla.models import Clock

    timings, found, plan = [], 0, ""
    with transaction.atomic():
        with connection.cursor() as cur:
            if full_scan:
                cur.execute("SET LOCAL enable_indexscan = off")
                cur.execute("SET LOCAL enable_bitmapscan = off")
                cur.execute("SET LOCAL enable_indexonlyscan = off")
        for _ in range(runs):
            now = timezone.now()
            # Exactly the look-up in sla.services.sla_sweep.
            qs = (
                Clock.objects.filter(next_check_at__lte=now)
                .order_by("next_check_at")
                .values_list("pk", flat=True)
            )
            t0 = time.perf_counter()
            ids = list(qs[:1000])
            timings.append((time.perf_counter() - t0) * 1000)
            found = len(ids)
        plan = qs[:1000].explain(analyze=True, buffers=True)
    return timings, found, plan


def seed_ladder(due: int) -> None:
    """``due`` running clocks two days past their deadline: one pass records the breach and all three rungs."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from halls.models import Hall
    from standard.models import StandardVersion

    hall = Hall.objects.get(code="BENCH")
    ct = ContentType.objects.get_for_model(Hall)
    version = StandardVersion.objects.order_by("effective_from").first()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM notify_notification WHERE dedupe_key LIKE 'sla:%%'")
        cur.execute(
            "DELETE FROM sla_clockevent WHERE clock_id IN (SELECT id FROM sla_clock WHERE object_id > 9000000)"
        )
        cur.execute("DELETE FROM sla_clock WHERE object_id > 9000000")
        cur.execute(
            """
            INSERT INTO sla_clock (hall_id, content_type_id, object_id, target, cycle, status, calendar,
                standard_version_id, target_seconds, warn_share, escalation_step_seconds, started_at, deadline,
                warn_at, paused_seconds, escalation_level, next_check_at, created_at)
            SELECT %(hall)s, %(ct)s, 9000000 + g, 'complaint_first_contact', 1, 'running', 'clock', %(version)s, 7200, 0.75,
                3600, now() - interval '50 hours', now() - interval '48 hours', now() - interval '48.5 hours', 0, 0,
                now() - interval '48.5 hours', now() - interval '50 hours'
            FROM generate_series(1, %(n)s) AS g
            """,
            {"hall": hall.pk, "ct": ct.pk, "version": version.pk, "n": due},
        )


def per_clock_sweep(now) -> dict:
    """The sweep before issue 14's set-based pass: each clock in its own transaction, each rung's event and notice
    inserted on their own (with the same per-pass recipient and label look-ups)."""
    from django.db import IntegrityError, connection, transaction

    from notify.services import notification_enqueue
    from sla import escalation
    from sla.models import Clock
    from sla.services import _advance

    result = {"warned": 0, "breached": 0, "escalated": 0}
    due = list(Clock.objects.filter(next_check_at__lte=now).order_by("next_check_at")[:1000])
    with escalation.sweep_pass(due):
        for pk in [c.pk for c in due]:
            with transaction.atomic():
                qs = Clock.objects.filter(pk=pk, next_check_at__lte=now).select_related(
                    "hall", "content_type"
                )
                clock = qs.select_for_update(skip_locked=True, of=("self",)).first()
                if clock is None:
                    continue
                for event, notice in _advance(clock, now):
                    try:
                        with transaction.atomic():
                            event.save(force_insert=True)
                    except IntegrityError:
                        continue
                    result[{"warned": "warned", "breached": "breached"}.get(event.kind, "escalated")] += 1
                    if notice is not None:
                        notification_enqueue(**notice, prompt=False, fresh=True)
                clock.save(
                    update_fields=["status", "warned_at", "breached_at", "escalation_level", "next_check_at"]
                )
    assert connection.in_atomic_block is False
    return result


def time_ladder(due: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sla.services import sla_sweep
    from tingwu.heap import freeze_start_up_heap

    out = {}
    for name, run in (("per_clock", per_clock_sweep), ("set_based", lambda now: sla_sweep(now=now))):
        seed_ladder(due)
        now = timezone.now()
        # The per-clock run's ≈ 7,800 statements and the seed fill the debug log (9,000 at most): counted from an
        # empty log, else the set-based pass counted 0.
        reset_queries()
        freeze_start_up_heap()  # as the worker does after its first pass (tingwu/heap.py)
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            result = run(now)
            elapsed = (time.perf_counter() - t0) * 1000
        out[name] = {"ms": elapsed, "queries": len(ctx.captured_queries), "result": result}
    seed_ladder(0)
    return out


def time_sweep() -> tuple[float, dict]:
    from sla.services import sla_sweep

    t0 = time.perf_counter()
    result = sla_sweep()
    return (time.perf_counter() - t0) * 1000, result


def summary(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, min {timings[0]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=300)
    parser.add_argument("--closed", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database (it is created if missing and its sla tables emptied)."
        )
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seeded = seed(args.clocks, args.due, args.closed)
    idx_t, found, idx_plan = time_query(args.runs, full_scan=False)
    seq_t, seq_found, seq_plan = time_query(max(5, args.runs // 3), full_scan=True)
    assert found == seq_found == args.due, (found, seq_found)
    sweep_ms, sweep_result = time_sweep()
    ladder = time_ladder(args.due)
    load = os.getloadavg()
    pg_version = connection.cursor().connection.info.server_version
    ratio = statistics.median(seq_t) / statistics.median(idx_t)
    uses_index = "sla_clock_due" in idx_plan
    lines = [
        MARK_BEGIN,
        "## SLA sweep: finding due clocks (issue 4)",
        "",
        f"`bench/sla_sweep_bench.py` on PostgreSQL {pg_version // 10000}.{pg_version % 10000}: "
        f"{args.clocks:,} open clocks ({args.due} due) + {args.closed:,} closed, seeded with "
        f"`INSERT … SELECT generate_series` in {seeded['seed_seconds']:.1f} s. Query = the sweep's own "
        "`Clock.objects.filter(next_check_at__lte=now).order_by('next_check_at')[:1000]`.",
        "",
        "| plan | time (find the due clocks) |",
        "|---|---|",
        f"| partial index `sla_clock_due` (`next_check_at` WHERE NOT NULL) | {summary(idx_t)} |",
        f"| baseline: index scans disabled (full scan) | {summary(seq_t)} |",
        "",
        f"Target ≤ 50 ms: **{'met' if statistics.median(idx_t) <= 50 else 'NOT met'}**; the index is "
        f"**{ratio:.0f}×** faster than the full scan; EXPLAIN uses the partial index: **{uses_index}**. "
        f"A whole `sla_sweep()` pass over the {args.due} due clocks (warn/breach, events, notices queued) took "
        f"{sweep_ms:.0f} ms ({sweep_result}).",
        "",
        f"### A pass over {args.due} clocks that breach and climb the whole ladder at once (issue 14)",
        "",
        f"Same run, same seed ({args.due} running clocks two days past their deadline: breach + rungs 1–3, i.e. 4 "
        f"events and 3 notices per clock), load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}:",
        "",
        "| algorithm | time | queries |",
        "|---|---|---|",
        f"| baseline: per clock (a transaction, an event INSERT and a notice INSERT per rung) | "
        f"{ladder['per_clock']['ms']:.0f} ms | {ladder['per_clock']['queries']} |",
        f"| set-based pass (`sla_sweep`: one locking SELECT, one INSERT of events, one of notices, one UPDATE) | "
        f"{ladder['set_based']['ms']:.0f} ms | {ladder['set_based']['queries']} |",
        "",
        f"Target ≤ 500 ms: **{'met' if ladder['set_based']['ms'] <= 500 else 'NOT met'}**; set-based / per clock = "
        f"**{ladder['set_based']['ms'] / ladder['per_clock']['ms']:.2f}×** the time "
        f"({ladder['set_based']['result']} vs {ladder['per_clock']['result']}).",
        "",
        "EXPLAIN (ANALYZE, BUFFERS) with the index:",
        "",
        "```",
        idx_plan,
        "```",
        "",
        "Baseline plan:",
        "",
        "```",
        seq_plan,
        "```",
        MARK_END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        path = ROOT / "docs" / "performance.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
        if MARK_BEGIN in text:
            head, _, rest = text.partition(MARK_BEGIN)
            _, _, tail = rest.partition(MARK_END)
            text = head + report + tail
        else:
            text = text.rstrip("\n") + "\n\n" + report + "\n"
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
