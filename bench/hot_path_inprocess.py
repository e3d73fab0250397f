"""The queue hot path's own CPU per operation, in process (companion to ``bench/queue_bench.py``).

    .venv/bin/python bench/queue_bench.py --seconds 5 --baseline-seconds 0 --no-write   # seeds the database
    .venv/bin/python bench/hot_path_inprocess.py [--cycles 500] [--profile]

Calls the ASGI application (``tingwu.asgi``: the hot path in front of Django) directly — no HTTP server, no client,
one operation at a time — for ``--cycles`` rounds of issue → call-next → start → finish on hall BH0 of the database
``tingwu_bench_queue``, with the credentials remembered as if Django had just accepted them. Prints this process's
CPU per operation (Python, asyncpg's client side and the kernel; PostgreSQL's own work is not in it); ``--profile``
adds a cProfile of the rounds. What the server's figure in queue_bench.py adds on top is uvicorn's HTTP handling.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=500)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/" + os.environ.get(
        "BENCH_QUEUE_DB", "tingwu_bench_queue"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from catalog.models import BusinessType
    from halls.models import Counter
    from integrations.models import ApiToken
    from queueing.hotpath import identity
    from queueing.models import Ticket
    from staff.models import HallAssignment
    from tingwu.asgi import application

    Ticket.objects.filter(status__in=["called", "serving", "waiting"]).update(status="done")
    counter = Counter.objects.filter(hall__code="BH0").order_by("pk").first()
    if counter is None:
        raise SystemExit("no hall BH0: run bench/queue_bench.py once first (it seeds tingwu_bench_queue)")
    clerk_id = HallAssignment.objects.filter(hall=counter.hall).values_list("user_id", flat=True).first()
    bt = BusinessType.objects.filter(halls=counter.hall).first()
    token = ApiToken.objects.filter(hall=counter.hall).first()
    staff = {
        "host": "127.0.0.1:8765",
        "cookie": "sessionid=bench; csrftoken=bench",
        "x-csrftoken": "bench",
        "origin": "http://127.0.0.1:8765",
        "accept-language": "zh-hans",
        "content-type": "application/json",
    }
    kiosk = {"host": "127.0.0.1:8765", "authorization": "Bearer bench", "content-type": "application/json"}
    # As if Django had just accepted both credentials (identity.remember), for as long as the run takes.
    far = time.monotonic() + 10**6
    get = staff.get
    identity._entries[identity._key(identity._session_parts(staff["cookie"], lambda n: get(n, "")))] = (
        identity.Identity(
            at=far,
            epoch=0,
            user_id=clerk_id,
            serve_halls=frozenset([counter.hall_id]),
            supervise_halls=frozenset(),
        )
    )
    identity._entries[identity._key(("token", kiosk["authorization"]))] = identity.Identity(
        at=far, epoch=0, token_id=token.pk, token_hall_id=counter.hall_id, token_kind=token.kind
    )

    async def request(path: str, headers: dict, body: bytes = b"") -> bytes:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8765),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        out: dict = {}

        async def receive():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message):
            out.setdefault("headers", dict(message.get("headers", ())))
            out["body"] = message.get("body", b"")

        await application(scope, receive, send)
        if out["headers"].get(b"x-tingwu-path") != b"hot":
            raise SystemExit(f"{path} was not served hot: {out}")
        return out["body"]

    base = f"/api/v1/queue/counters/{counter.pk}"
    issue_body = json.dumps({"business_type_id": bt.pk}).encode()
    finish_body = json.dumps({"outcome": "done", "business_type_ids": [bt.pk]}).encode()

    async def cycle() -> None:
        await request("/api/v1/queue/kiosk/tickets", kiosk, issue_body)
        ticket_id = json.loads(await request(f"{base}/call-next", staff))["id"]
        await request(f"{base}/tickets/{ticket_id}/start", staff)
        await request(f"{base}/tickets/{ticket_id}/finish", staff, finish_body)

    async def run() -> None:
        for _ in range(20):  # warm: connections, prepared statements, memos
            await cycle()
        profile = cProfile.Profile() if args.profile else None
        t0, w0 = os.times(), time.perf_counter()
        if profile:
            profile.enable()
        for _ in range(args.cycles):
            await cycle()
        if profile:
            profile.disable()
        t1, ops = os.times(), args.cycles * 4
        cpu = (t1.user + t1.system - t0.user - t0.system) / ops * 1000
        print(
            f"{ops} operations: {cpu:.3f} ms of this process's CPU and {(time.perf_counter() - w0) / ops * 1000:.3f} ms wall each"
        )
        if profile:
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        from queueing.hotpath import db

        await db.close_loop()

    asyncio.run(run())


if __name__ == "__main__":
    main()
