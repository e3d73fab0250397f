"""Every benchmark, briefly, one after the other (``make bench``). Needs PostgreSQL on 127.0.0.1:5432.

    .venv/bin/python bench/run_all.py [--full] [--dry-run] [--only queue_bench,sse_bench]

Without ``--full`` each script runs with short windows so the whole set takes a few minutes and nothing is written to
docs/performance.md; ``--full`` runs each with its own defaults (the figures the docs quote; sla_sweep_bench with
``--write``). ``--dry-run`` prints the commands. Exit status: the number of scripts that failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PG = "postgres://postgres@127.0.0.1:5432"

# script → (brief arguments, full arguments, extra environment)
PLAN: dict[str, tuple[list[str], list[str], dict[str, str]]] = {
    "queue_bench": (
        ["--seconds", "5", "--baseline-seconds", "3", "--warmup", "1", "--clients", "8", "--no-write"],
        [],
        {},
    ),
    # Runs against the database queue_bench seeded (tingwu_bench_queue): keep it after queue_bench.
    "hot_path_inprocess": (["--cycles", "100"], [], {}),
    "profile_queue": (["-n", "50"], [], {}),
    "sla_sweep_bench": (
        ["--clocks", "20000", "--due", "50", "--closed", "5000", "--runs", "5"],
        ["--write"],
        {"DATABASE_URL": f"{PG}/tingwu_bench_sla"},
    ),
    "sse_bench": (["--clients", "20", "--calls", "5", "--backend", "inprocess", "--no-docs"], [], {}),
    "sqlite_floor_bench": (["--seconds", "5", "--warmup", "1", "--shape", "8x2", "--no-write"], [], {}),
    "django_path_inprocess": (["--cycles", "50"], [], {}),
    # Runs against the SQLite file django_path_inprocess seeded: keep it after that one.
    "sqlite_call_pick": (["--runs", "1", "--n", "50"], [], {}),
    "asgi_hops": (["--requests", "500"], [], {}),
    "records_bench": (["--tickets", "1000", "--clocks", "30", "--runs", "2"], [], {}),
    "facilities_sweep_bench": (
        ["--halls", "20", "--plans", "5"],
        [],
        {"DATABASE_URL": f"{PG}/tingwu_bench_facilities"},
    ),
    "pages_bench": (["--tickets", "20000", "--today", "1000", "--runs", "10"], ["--pg"], {}),
    "kpi_chain_bench": (
        ["--halls", "5", "--per-day", "30", "--requests", "20", "--runs", "2", "--db", "tingwu_bench_kpi"],
        ["--db", "tingwu_bench_kpi"],
        {},
    ),
    # The tree against itself: the lockstep's own noise (comparing two trees is run by hand, docs/performance.md).
    "lockstep": ([".", ".", "--cycles", "20", "--turn", "5"], [".", ".", "--pg"], {}),
    # reads the database kpi_chain_bench just filled (same --db), so it runs after it
    "profile_kpi_dashboard": (
        ["--db", "tingwu_bench_kpi", "--requests", "20"],
        ["--db", "tingwu_bench_kpi"],
        {},
    ),
}


# Listed, never run by ``make bench``: why.
BY_HAND = {
    "pg_restart_probe": "restarts the machine's PostgreSQL under a running server; run it by hand on a machine of your own",
}


def commands(*, full: bool, only: list[str] | None = None) -> list[tuple[str, list[str], dict[str, str]]]:
    out = []
    for name, (brief, long, env) in PLAN.items():
        if only and name not in only:
            continue
        out.append((name, [sys.executable, str(BENCH / f"{name}.py"), *(long if full else brief)], env))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="each benchmark with its own defaults (minutes each)")
    ap.add_argument("--dry-run", action="store_true", help="print the commands only")
    ap.add_argument("--only", default="", help="comma-separated script names")
    args = ap.parse_args()
    only = [s.strip() for s in args.only.split(",") if s.strip()] or None
    failed = []
    for name, cmd, env in commands(full=args.full, only=only):
        print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
        if args.dry_run:
            continue
        result = subprocess.run(cmd, cwd=BENCH.parent, env={**os.environ, **env})
        if result.returncode:
            failed.append(name)
    for name, why in BY_HAND.items():
        if not only or name in only:
            print(f"\n=== {name}: by hand only ({why})")
    print("\nfailed: " + (", ".join(failed) if failed else "none"))
    return len(failed)


if __name__ == "__main__":
    sys.exit(main())
