"""Call-next's pick on SQLite with the active statuses bound vs written into the statement (issue 14).

    .venv/bin/python bench/sqlite_call_pick.py [--double 5] [--runs 3] [--n 200]

Reads ``var/bench_django_path.sqlite3`` (made by ``bench/django_path_inprocess.py``); with ``--double N`` a copy in
``var/bench_call_pick.sqlite3`` first has its tickets doubled N times into earlier days (``ANALYZE``d afterwards), as
a hall's database grows. Builds the pick as ``ticket_call_next`` does, then times it ``--n`` times per run in each
form and prints both query plans: with bound statuses SQLite cannot use the partial index
``ticket_one_active_per_counter`` and reads every ticket the counter ever served.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "var" / "bench_django_path.sqlite3"
COPY = ROOT / "var" / "bench_call_pick.sqlite3"
LITERAL = "\"U0\".\"status\" IN ('called', 'serving')"


def grow(path: Path, times: int) -> None:
    db = sqlite3.connect(path)
    cols = [r[1] for r in db.execute("PRAGMA table_info(queueing_ticket)") if r[1] != "id"]
    for k in range(times):
        days = 100 * 2**k  # each copy lands on days no earlier copy used: the day's numbers stay unique
        select = [
            f"date(service_date, '-{days} days')"
            if c == "service_date"
            else f"public_token || '-{days}'"
            if c == "public_token"
            else "NULL"
            if c == "idempotency_key"
            else c
            for c in cols
        ]
        db.execute(
            f"INSERT INTO queueing_ticket ({', '.join(cols)}) SELECT {', '.join(select)} FROM queueing_ticket"  # noqa: S608
        )
    db.commit()
    db.execute("ANALYZE")
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--double", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    path = SOURCE
    if args.double:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{COPY}{suffix}").unlink(missing_ok=True)
        shutil.copy(SOURCE, COPY)
        grow(COPY, args.double)
        path = COPY
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Exists
    from django.utils import timezone

    from halls.models import Counter
    from queueing.models import CounterState, Ticket
    from queueing.services.calling import call_candidates

    counter = Counter.objects.order_by("pk").first()
    state = CounterState.objects.get(counter=counter)
    busy = Ticket.objects.active().filter(counter_id=counter.pk)
    pick = (
        call_candidates(counter, state, timezone.now()).filter(~Exists(busy)).select_related("business_type")
    )
    literal_sql, literal_params = pick[:1].query.sql_with_params()
    assert LITERAL in literal_sql
    forms = {
        "bound": (
            literal_sql.replace(LITERAL, '"U0"."status" IN (%s, %s)'),
            (*literal_params, "called", "serving"),
        ),
        "literal": (literal_sql, literal_params),
    }
    print(
        f"{Ticket.objects.count():,} tickets; load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    with connection.cursor() as cursor:
        for run in range(args.runs):
            for name, (sql, params) in forms.items():
                t0 = time.perf_counter()
                for _ in range(args.n):
                    cursor.execute(sql, params)
                    cursor.fetchall()
                print(f"run {run + 1} {name}: {(time.perf_counter() - t0) / args.n * 1000:.3f} ms per pick")
        for name, (sql, params) in forms.items():
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            print(f"{name} plan: {[row[-1] for row in cursor.fetchall()]}")


if __name__ == "__main__":
    main()
