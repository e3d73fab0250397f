"""In-process cost of the queue hot path (issue 3 §10 companion to ``bench/queue_bench.py``).

    .venv/bin/python bench/profile_queue.py [--queries] [--profile issue|cycle] [--asgi]

Creates the database ``tingwu_perf_profile`` on 127.0.0.1:5432, seeds one hall, then times kiosk issue and the
counter cycle (call-next → start → finish) through Django's test client (``--asgi``: the async test client, i.e. the
ASGI handler with its middleware thread hops). ``--queries`` prints the SQL of one steady-state request of each kind;
``--profile`` prints a cProfile of 100 requests. One process, no HTTP: this is the Django + PostgreSQL share of a
request, without the server and the client.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path

DB = "tingwu_perf_profile"


def setup() -> dict:
    import logging

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _django import fresh_database
    from _queue_seed import open_round_the_clock

    fresh_database(DB)
    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from integrations.models import token_create
    from staff.models import HallRole
    from standard.services import standard_seed_v1
    from tests import factories as f

    standard_seed_v1()
    hall = f.hall()
    open_round_the_clock(hall)
    bt = f.business_type(halls=[hall])
    c1 = f.counter(hall, 1)
    clerk = f.user("perf_clerk", hall_roles=[(hall, HallRole.CLERK)])
    _tok, raw = token_create(hall=hall, kind="kiosk", name="k")
    return {"hall": hall, "bt": bt, "c1": c1, "clerk": clerk, "kiosk": raw}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", action="store_true")
    ap.add_argument("--profile", choices=["issue", "cycle"])
    ap.add_argument("--asgi", action="store_true")
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()
    s = setup()
    from django.db import connection
    from django.test import AsyncClient, Client
    from django.test.utils import CaptureQueriesContext

    hdr = {"Authorization": f"Bearer {s['kiosk']}"}
    c1, bt = s["c1"].pk, s["bt"].pk
    if args.asgi:
        kiosk, staff = AsyncClient(), AsyncClient()
    else:
        kiosk, staff = Client(), Client()
    staff.force_login(s["clerk"])

    loop = asyncio.new_event_loop()  # one loop for the run, as in a server

    def run(coro_or_resp):
        return loop.run_until_complete(coro_or_resp) if args.asgi else coro_or_resp

    def issue():
        r = run(
            kiosk.post(
                "/api/v1/queue/kiosk/tickets", {"business_type_id": bt}, "application/json", headers=hdr
            )
        )
        assert r.status_code == 201, r.content

    def call():
        r = run(staff.post(f"/api/v1/queue/counters/{c1}/call-next"))
        assert r.status_code == 200, r.content
        return r.json()["id"]

    def start(tid):
        r = run(staff.post(f"/api/v1/queue/counters/{c1}/tickets/{tid}/start"))
        assert r.status_code == 200, r.content

    def finish(tid):
        body = {"outcome": "done", "business_type_ids": [bt]}
        r = run(staff.post(f"/api/v1/queue/counters/{c1}/tickets/{tid}/finish", body, "application/json"))
        assert r.status_code == 200, r.content

    def cycle():
        tid = call()
        start(tid)
        finish(tid)

    run(staff.post(f"/api/v1/queue/counters/{c1}/open"))
    for _ in range(20):
        issue()
    for _ in range(5):
        cycle()
    if args.queries:
        for name, fn in [("issue", issue), ("call-next", call)]:
            with CaptureQueriesContext(connection) as ctx:
                out = fn()
            print(f"--- {name}: {len(ctx.captured_queries)} statements")
            for q in ctx.captured_queries:
                print("   ", q["sql"][:400])
        for name, fn in [("start", start), ("finish", finish)]:
            with CaptureQueriesContext(connection) as ctx:
                fn(out)
            print(f"--- {name}: {len(ctx.captured_queries)} statements")
            for q in ctx.captured_queries:
                print("   ", q["sql"][:400])
        return
    for _ in range(args.n + 60):
        issue()  # enough waiting tickets for the cycles below
    t = time.perf_counter()
    for _ in range(args.n):
        issue()
    issue_ms = (time.perf_counter() - t) / args.n * 1000
    t = time.perf_counter()
    for _ in range(args.n // 4):
        cycle()
    cycle_ms = (time.perf_counter() - t) / (args.n // 4) * 1000
    mode = "ASGI (AsyncClient)" if args.asgi else "WSGI (Client)"
    print(
        f"{mode}: issue {issue_ms:.2f} ms/request; counter cycle {cycle_ms / 3:.2f} ms/request (3 per cycle)"
    )
    if args.profile:
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(100):
            issue() if args.profile == "issue" else cycle()
        pr.disable()
        pstats.Stats(pr).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
