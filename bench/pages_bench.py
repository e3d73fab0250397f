"""Console, board, greeter and records pages with 1M tickets in the table, in process (issue 14).

    .venv/bin/python bench/pages_bench.py [--pg] [--tickets 1000000] [--today 10000] [--runs 50] [--slow 3]
                                          [--explain] [--profile greeter] [--reuse]

A fresh database (SQLite file ``var/bench_pages.sqlite3``; ``--pg``: database ``--db``, default
``tingwu_perf_pages``), migrated; ``--halls`` halls with 8 counters each; ``--tickets`` served tickets in all, spread
over the halls and as many previous days as it takes, ``--today`` of them today in the measured hall (and 30 waiting,
2 being served); written with COPY (PostgreSQL) or one ``executemany`` (SQLite), then ANALYZE. Each page is fetched
``--runs`` times through Django's test client (DEBUG off, after one warm-up request); prints p50 / p99 / max, the
queries per request, this process's CPU per request (p50), and the ``--slow`` slowest statements of one request (``--explain``: their plan too).
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE = ROOT / "var" / "bench_pages.sqlite3"
COUNTERS = 8
VARYING = (
    "hall_id service_date seq number issued_at arrival_at first_called_at called_at started_at finished_at "
    "counter_id clerk_id public_token"
).split()


def setup(args) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    if args.reuse:
        os.environ["DATABASE_URL"] = (
            f"postgres://postgres@127.0.0.1:5432/{args.db}" if args.pg else f"sqlite:///{SQLITE}"
        )
        import django

        django.setup()
        return
    if args.pg:
        from _django import fresh_database

        fresh_database(args.db)
    else:
        SQLITE.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"
        import django

        django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(args) -> dict:
    """The halls, people and tickets; returns what the pages need."""
    from django.db import connection, transaction
    from django.utils import timezone

    from queueing.models import ClockMode, Outcome, Ticket, TicketStatus
    from staff.models import HallRole
    from standard.services import standard_seed_v1
    from tests import factories as f

    standard_seed_v1()
    halls = [f.hall(code=f"PB{h}") for h in range(args.halls)]
    bt = f.business_type(halls=halls)
    counters = {h.pk: [f.counter(h, n).pk for n in range(1, COUNTERS + 1)] for h in halls}
    hall = halls[0]
    clerks = [f.user(hall_roles=[(h, HallRole.CLERK)]).pk for h in halls for _ in range(4)]
    people = {
        "clerk": f.user("pb_clerk", hall_roles=[(hall, HallRole.CLERK)]),
        "greeter": f.user("pb_greeter", hall_roles=[(hall, HallRole.GREETER)]),
        "manager": f.user("pb_manager", hall_roles=[(hall, HallRole.HALL_MANAGER)]),
    }
    template = Ticket(
        hall=hall,
        business_type=bt,
        status=TicketStatus.DONE,
        prefix="A",
        outcome=Outcome.DONE,
        limit_minutes=15,
        clock_mode=ClockMode.FROM_START,
        within_limit=True,
    )
    fields = [fl for fl in Ticket._meta.concrete_fields if not fl.primary_key]
    names = [fl.column for fl in fields]
    fixed = {
        fl.column: fl.get_db_prep_save(getattr(template, fl.attname), connection)
        for fl in fields
        if fl.column not in VARYING
    }
    dt = connection.ops.adapt_datetimefield_value
    dd = connection.ops.adapt_datefield_value
    today = timezone.localdate()

    def day_rows(hall_id: int, day, n: int):
        opening = timezone.make_aware(
            timezone.datetime.combine(day, timezone.datetime.min.time())
        ) + timedelta(hours=8)
        step = max(1, 36000 // max(n, 1))  # the day's tickets inside ten hours
        cs = counters[hall_id]
        d = dd(day)
        for k in range(1, n + 1):
            at = opening + timedelta(seconds=step * k)
            varying = {
                "hall_id": hall_id,
                "service_date": d,
                "seq": k,
                "number": f"A{k:05d}",
                "issued_at": dt(at),
                "arrival_at": dt(at),
                "first_called_at": dt(at + timedelta(minutes=4)),
                "called_at": dt(at + timedelta(minutes=4)),
                "started_at": dt(at + timedelta(minutes=5)),
                "finished_at": dt(at + timedelta(minutes=12)),
                "counter_id": cs[k % len(cs)],
                "clerk_id": clerks[k % len(clerks)],
                "public_token": secrets.token_hex(16),
            }
            yield [varying[c] if c in varying else fixed[c] for c in names]

    def rows():
        yield from day_rows(hall.pk, today, args.today)
        left = args.tickets - args.today
        for h in halls[1:]:
            yield from day_rows(h.pk, today, args.per_day)
            left -= args.per_day
        d = 1
        while left > 0:
            for h in halls:
                n = min(args.per_day, left)
                if n <= 0:
                    break
                yield from day_rows(h.pk, today - timedelta(days=d), n)
                left -= n
            d += 1

    t0 = time.perf_counter()
    table = Ticket._meta.db_table
    cols = ", ".join(connection.ops.quote_name(c) for c in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql, it = f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows()
            while chunk := list(itertools.islice(it, 50_000)):
                with transaction.atomic():  # one commit per chunk, not per row (autocommit fsyncs each)
                    cursor.executemany(sql, chunk)
    if not connection.get_autocommit():
        transaction.commit()
    seeded = time.perf_counter() - t0
    # Today's live queue in the measured hall: 30 waiting, the clerk serving one at counter 1, another called.
    from queueing import services as s

    counter = f.counter(hall, COUNTERS + 1)
    other = f.counter(hall, COUNTERS + 2)
    for _ in range(32):
        s.ticket_issue(hall=hall, business_type=bt)
    t = s.ticket_call_next(counter=counter, clerk=people["clerk"])
    s.handling_start(ticket=t, clerk=people["clerk"])
    s.ticket_call_next(counter=other, clerk=people["manager"])
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analysed = time.perf_counter() - t1
    total = Ticket.objects.count()
    print(
        f"{connection.vendor}: {total} tickets ({args.today + 32} today in the measured hall, {args.halls} halls); "
        f"written in {seeded:.1f} s, ANALYZE {analysed:.1f} s"
    )
    return {"hall": hall, "counter": counter, **people}


def existing() -> dict:
    """What seed() returned, looked up in a database it seeded earlier (``--reuse``)."""
    from django.contrib.auth import get_user_model

    from halls.models import Counter, Hall
    from queueing.models import Ticket

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="pb_")}
    hall = Hall.objects.get(code="PB0")
    print(f"reused: {Ticket.objects.count()} tickets")
    return {
        "hall": hall,
        "counter": Counter.objects.get(hall=hall, number=COUNTERS + 1),
        **{k: users[f"pb_{k}"] for k in ("clerk", "greeter", "manager")},
    }


def measure(args, ctx: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    hall = ctx["hall"].pk
    pages = [
        ("baseline: /healthz", "clerk", "/healthz"),  # the middleware chain alone, same run
        ("console", "clerk", reverse("queueing:console", args=[ctx["counter"].pk])),
        ("console panel (polled)", "clerk", reverse("queueing:console_panel", args=[ctx["counter"].pk])),
        ("board", "manager", reverse("floor:board", args=[hall])),
        ("board panel (polled)", "manager", reverse("floor:board_panel", args=[hall])),
        ("greeter", "greeter", reverse("floor:greeter", args=[hall])),
        ("greeter list (polled)", "greeter", reverse("floor:greeter_list", args=[hall])),
        ("records (10k today)", "manager", reverse("queueing:records") + f"?hall={hall}"),
    ]
    clients = {}
    for who in ("clerk", "manager", "greeter"):
        clients[who] = Client()
        clients[who].force_login(ctx[who])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before: {load}; {args.runs} requests per page after one warm-up")
    for name, who, url in pages:
        client = clients[who]
        assert client.get(url).status_code == 200, (name, url)
        times, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert r.status_code == 200, (name, r.status_code)
        with CaptureQueriesContext(connection) as cq:
            client.get(url)
        if args.profile and args.profile in name:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(5):
                client.get(url)
            prof.disable()
            pstats.Stats(prof).sort_stats(args.sort).print_stats(40)
        times.sort()
        p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
        print(
            f"{name:24s} p50={statistics.median(times):7.1f} ms p99={p99:7.1f} ms max={times[-1]:7.1f} ms "
            f"cpu p50={statistics.median(cpu):6.1f} ms "
            f"queries={len(cq.captured_queries)} bytes={len(r.content)}"
        )
        slow = sorted(cq.captured_queries, key=lambda q: -float(q["time"]))[: args.slow]
        for q in slow:
            print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:220]}")
            if args.explain:
                with connection.cursor() as cursor:
                    prefix = (
                        "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                    )
                    cursor.execute(prefix + q["sql"])
                    for line in cursor.fetchall():
                        print("        " + " ".join(str(x) for x in line))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after: {load}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--db", default="tingwu_perf_pages")
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--today", type=int, default=10_000, help="tickets today in the measured hall")
    ap.add_argument("--halls", type=int, default=8)
    ap.add_argument("--per-day", type=int, default=500, help="tickets per hall on the other days")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--reuse", action="store_true", help="measure the database seeded by an earlier run")
    ap.add_argument("--slow", type=int, default=3)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--profile", default="", help="cProfile 5 requests of the pages whose name contains this")
    args = ap.parse_args()
    setup(args)
    ctx = existing() if args.reuse else seed(args)
    measure(args, ctx)


if __name__ == "__main__":
    main()
