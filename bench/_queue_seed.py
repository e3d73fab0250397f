"""The queue benchmark's database (bench/queue_bench.py): created afresh, migrated, seeded with halls, counters,
clerks, kiosk tokens and previous days of served tickets."""

from __future__ import annotations

import logging
import os

# BENCH_QUEUE_DB: several people benchmarking on one PostgreSQL server each need a database of their own.
DB = os.environ.get("BENCH_QUEUE_DB", "tingwu_bench_queue")
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PASSWORD = "Bench@Pass2026x"
HISTORY_DAYS, HISTORY_PER_DAY = 5, 600


def open_round_the_clock(hall) -> None:
    """The kiosk refuses to issue outside opening hours (issue 10 §2); a benchmark must measure the same work at
    whatever hour it runs, so its halls open every day, all day."""
    hall.opening_hours = {str(d): [["00:00", "24:00"]] for d in range(7)}
    hall.save(
        update_fields=["opening_hours"]
    )  # served tickets per hall and day before the run (seed_history)


def setup_database(halls: int, counters: int) -> dict:
    from _django import fresh_database

    fresh_database(DB)
    from django.core.management import call_command

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request would load the client

    call_command("migrate", verbosity=0)
    from integrations.models import TokenKind, token_create
    from staff.models import HallRole
    from standard.services import standard_seed_v1
    from tests import factories as f

    standard_seed_v1()
    region = f.region("BENCH")
    seeded = []
    for h in range(halls):
        hall = f.hall(region, code=f"BH{h}", name=f"压测厅{h}")
        open_round_the_clock(hall)
        bt = f.business_type(f"BT{h}", halls=[hall], name="套餐变更")
        for n in range(1, counters + 1):
            f.counter(hall, n)
        clerk = f.user(f"bench_clerk{h}", hall_roles=[(hall, HallRole.CLERK)], password=PASSWORD)
        _tok, raw = token_create(hall=hall, kind=TokenKind.KIOSK, name="bench kiosk")
        seeded.append({"hall": hall.pk, "bt": bt.pk, "clerk": clerk.username, "kiosk": raw, "counters": []})
    from halls.models import Counter

    for s in seeded:
        s["counters"] = list(Counter.objects.filter(hall_id=s["hall"]).values_list("pk", flat=True))
    seed_history(seeded)
    from django.db import connections

    connections.close_all()
    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()  # the pool's threads and idle PostgreSQL connections would otherwise live on in the client
    return {"halls": seeded}


def seed_history(seeded: list[dict], days: int = HISTORY_DAYS, per_day: int = HISTORY_PER_DAY) -> None:
    """Previous days of served tickets per hall, then ANALYZE: a hall's database is never empty in the morning, and
    the planner must see real statistics. On empty tables PostgreSQL plans the hot path's prepared statements for
    empty tables (each statement is planned once per connection) and keeps those plans until statistics change —
    measured: the wait estimate's count then walked a whole day's tickets by the number index."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from halls.models import Counter
    from queueing.models import ClockMode, Outcome, Ticket, TicketStatus

    today = timezone.localdate()
    rows = []
    for s in seeded:
        counters = list(Counter.objects.filter(hall_id=s["hall"]).values_list("pk", flat=True))
        for d in range(1, days + 1):
            day = today - timedelta(days=d)
            opening = timezone.make_aware(
                timezone.datetime.combine(day, timezone.datetime.min.time())
            ) + timedelta(hours=9)
            for n in range(1, per_day + 1):
                at = opening + timedelta(seconds=25 * n)
                rows.append(
                    Ticket(
                        hall_id=s["hall"],
                        business_type_id=s["bt"],
                        service_date=day,
                        prefix="A",
                        seq=n,
                        number=f"A{n:03d}",
                        status=TicketStatus.DONE,
                        issued_at=at,
                        arrival_at=at,
                        counter_id=counters[n % len(counters)],
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
