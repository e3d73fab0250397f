"""Records page, Excel export and SLA sweep with many rows, in process (issue 14).

    .venv/bin/python bench/records_bench.py [--tickets 10000] [--clerks 20] [--clocks 300] [--pg]

Fresh SQLite file ``var/bench_records.sqlite3`` (``--pg``: database ``tingwu_bench_records``); one hall with
``--tickets`` served tickets today spread over ``--clerks`` clerks; times the records page and the export through
Django's test client (DEBUG off) and the export's peak Python memory (tracemalloc); then ``--clocks`` due SLA clocks
and one ``sla_sweep()`` pass (time and queries).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE = ROOT / "var" / "bench_records.sqlite3"


def setup(args) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    if args.pg:
        from _django import fresh_database

        fresh_database("tingwu_bench_records")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"
        import django

        django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--clerks", type=int, default=20)
    ap.add_argument("--clocks", type=int, default=300)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", action="store_true")
    args = ap.parse_args()
    setup(args)
    from unittest import mock

    from _django import CountQueries, GcTime
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from queueing.models import ClockMode, Outcome, Ticket, TicketStatus
    from sla.models import Target
    from sla.services import clock_start, sla_sweep
    from staff.models import HallRole
    from standard.services import standard_seed_v1
    from tests import factories as f
    from tingwu.heap import freeze_start_up_heap

    standard_seed_v1()
    hall = f.hall(code="BR0")
    bt = f.business_type(halls=[hall])
    counters = [f.counter(hall, n).pk for n in range(1, 9)]
    clerks = [f.user(hall_roles=[(hall, HallRole.CLERK)]).pk for _ in range(args.clerks)]
    manager = f.user(hall_roles=[(hall, HallRole.HALL_MANAGER)])
    today = timezone.localdate()
    start = timezone.now() - timedelta(hours=8)
    rows = []
    for n in range(1, args.tickets + 1):
        at = start + timedelta(seconds=2 * n)
        rows.append(
            Ticket(
                hall_id=hall.pk,
                business_type_id=bt.pk,
                service_date=today,
                prefix="A",
                seq=n,
                number=f"A{n:05d}",
                status=TicketStatus.DONE,
                issued_at=at,
                arrival_at=at,
                counter_id=counters[n % len(counters)],
                clerk_id=clerks[n % len(clerks)],
                first_called_at=at + timedelta(minutes=4),
                called_at=at + timedelta(minutes=4),
                started_at=at + timedelta(minutes=5),
                finished_at=at + timedelta(minutes=12),
                outcome=Outcome.DONE,
                limit_minutes=15,
                clock_mode=ClockMode.FROM_START,
                within_limit=True,
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=2000)
    client = Client()
    client.force_login(manager)

    def body_of(r) -> bytes:
        return b"".join(r.streaming_content) if r.streaming else r.content

    def timed(url: str) -> tuple[float, int, int]:
        times, size, queries = [], 0, 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                r = client.get(url)
                size = len(body_of(r))
                times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.status_code
            queries = len(ctx.captured_queries)
        return statistics.median(times), queries, size

    page = timed(f"/queue/records/?hall={hall.pk}")
    export = timed(f"/queue/records/export.xlsx?hall={hall.pk}")
    tracemalloc.start()
    body_of(client.get(f"/queue/records/export.xlsx?hall={hall.pk}"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{connection.vendor}, {args.tickets} tickets today, {args.clerks} clerks, load average {load}")
    print(f"records page: median {page[0]:.0f} ms, {page[1]} queries")
    print(
        f"export: median {export[0]:.0f} ms, {export[1]} queries, {export[2] / 1024:.0f} KiB, "
        f"peak Python memory {peak / 1024 / 1024:.1f} MiB"
    )
    # The sweep: --clocks clocks due for their warning at once (started 30 days ago), three times over: measured
    # as before (CaptureQueriesContext, the heap not frozen), counted without the debug cursor, and as the worker
    # runs it (its start-up heap frozen after its first pass: tingwu/heap.py).
    t_start = timezone.now() - timedelta(days=30)

    def due_clocks() -> None:
        with mock.patch("django.utils.timezone.now", return_value=t_start):
            for _ in range(args.clocks):
                clock_start(
                    subject=f.hall(), target=Target.COMPLAINT_FIRST_CONTACT, hall=hall, started_at=t_start
                )

    def swept(how: str, counting) -> None:
        with GcTime() as collections, counting as counted:
            t0, c0 = time.perf_counter(), time.process_time()
            done = sla_sweep()
            ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        n = len(counted.captured_queries) if hasattr(counted, "captured_queries") else counted.count
        print(
            f"sla_sweep of {done['checked']} due clocks, {how}: {ms:.0f} ms ({cpu:.0f} ms of CPU), {n} queries "
            f"({n / max(done['checked'], 1):.1f} per clock), garbage collections {collections} {done}"
        )

    del rows
    due_clocks()
    reset_queries()
    swept("CaptureQueriesContext, heap not frozen", CaptureQueriesContext(connection))
    due_clocks()
    swept("counted, heap not frozen", CountQueries(connection))
    due_clocks()
    freeze_start_up_heap()
    swept("counted, heap frozen as in the worker", CountQueries(connection))


if __name__ == "__main__":
    main()
