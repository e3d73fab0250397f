"""Django's own request path for the four queue operations, in process (issue 14; companion to hot_path_inprocess).

    .venv/bin/python bench/django_path_inprocess.py [--cycles 200] [--pg] [--debug] [--profile tottime|cumulative]
                                                    [--queries]

Seeds one hall (one counter, a clerk with a real session, a kiosk token) in a fresh SQLite file
``var/bench_django_path.sqlite3`` (``--pg``: the PostgreSQL database ``tingwu_bench_django_path``), then runs
``--cycles`` rounds of issue → call-next → start → finish through Django's full request path (``QUEUE_HOT_PATH=0``),
one request at a time:

* over ASGI — ``tingwu.asgi.application`` called directly (its thread hop included; no server, no client): prints
  this process's CPU per request (``os.times``: every thread, user + kernel);
* over WSGI in this thread (``WSGIHandler``, the same middleware and views without the ASGI hop) for the profile:
  ``--profile`` prints cProfile's top functions; ``--queries`` the statements of one request of each kind.

DEBUG is off as in production unless ``--debug`` (``make run``'s local default records every query).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE = ROOT / "var" / "bench_django_path.sqlite3"
PG_DB = "tingwu_bench_django_path"
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # 32 characters: a CSRF secret, accepted as cookie and header alike


def setup(args) -> dict:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["QUEUE_HOT_PATH"] = "1" if args.hot else "0"
    os.environ["DEBUG"] = "true" if args.debug else "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    if args.pg:
        from _django import fresh_database

        fresh_database(PG_DB + args.db_suffix)
    else:
        sqlite = SQLITE.with_name(SQLITE.stem + args.db_suffix + SQLITE.suffix)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
        import django

        django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from _queue_seed import open_round_the_clock, seed_history
    from django.conf import settings
    from django.test import Client

    from integrations.models import token_create
    from staff.models import HallRole
    from standard.services import standard_seed_v1
    from tests import factories as f

    standard_seed_v1()
    hall = f.hall(code="BH0")
    open_round_the_clock(hall)
    bt = f.business_type(halls=[hall])
    counter = f.counter(hall, 1)
    clerk = f.user("perf_clerk", hall_roles=[(hall, HallRole.CLERK)])
    _tok, raw = token_create(hall=hall, kind="kiosk", name="k")
    seed_history([{"hall": hall.pk, "bt": bt.pk}])
    client = Client()
    client.force_login(clerk)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    staff = {
        "host": "127.0.0.1:8000",
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}",
        "x-csrftoken": CSRF,
        "origin": "http://127.0.0.1:8000",
        "accept-language": "zh-hans",
        "content-type": "application/json",
    }
    kiosk = {"host": "127.0.0.1:8000", "authorization": f"Bearer {raw}", "content-type": "application/json"}
    from django.db import connections

    connections.close_all()
    return {"counter": counter.pk, "bt": bt.pk, "staff": staff, "kiosk": kiosk}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=200)
    ap.add_argument("--pg", action="store_true")
    ap.add_argument(
        "--hot", action="store_true", help="the queue hot path on (SQLite: queueing/hotpath/lite.py)"
    )
    ap.add_argument("--debug", action="store_true")
    ap.add_argument(
        "--db-suffix", default="", help="a database (file) of its own, e.g. for two trees at once"
    )
    ap.add_argument(
        "--lockstep",
        action="store_true",
        help="for bench/lockstep.py: after the warm-up, N cycles per 'go N' read from stdin, their process time printed",
    )
    ap.add_argument("--profile", choices=["tottime", "cumulative"])
    ap.add_argument("--queries", action="store_true")
    ap.add_argument("--lines", type=int, default=40)
    ap.add_argument("--profile-out", metavar="FILE", help="also dump the profile's stats to FILE (pstats)")
    args = ap.parse_args()
    s = setup(args)
    from django.core.handlers.wsgi import WSGIHandler

    from tingwu.asgi import application

    base = f"/api/v1/queue/counters/{s['counter']}"
    issue_body = json.dumps({"business_type_id": s["bt"]}).encode()
    finish_body = json.dumps({"outcome": "done", "business_type_ids": [s["bt"]]}).encode()
    plan = [
        ("issue", "/api/v1/queue/kiosk/tickets", s["kiosk"], issue_body, 201),
        ("call_next", f"{base}/call-next", s["staff"], b"", 200),
        ("start", f"{base}/tickets/{{id}}/start", s["staff"], b"", 200),
        ("finish", f"{base}/tickets/{{id}}/finish", s["staff"], finish_body, 200),
    ]

    hot = {"n": 0}

    async def asgi(path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
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
            "server": ("127.0.0.1", 8000),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        out: dict = {"body": b""}

        async def receive():
            if messages:
                return messages.pop(0)
            await asyncio.Event().wait()  # the client stays: Django listens for a disconnect while it works

        async def send(message):
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
                hot["n"] += (b"x-tingwu-path", b"hot") in message.get("headers", [])
            else:
                out["body"] += message.get("body", b"")

        await application(scope, receive, send)
        return out["status"], out["body"]

    wsgi_app = WSGIHandler()

    def wsgi(path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "CONTENT_LENGTH": str(len(body)),
        }
        for k, v in headers.items():
            key = k.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE",) else f"HTTP_{key}"] = v
        status = {}

        def start_response(line, _headers):
            status["code"] = int(line.split()[0])

        response = wsgi_app(environ, start_response)
        data = b"".join(response)
        response.close()
        return status["code"], data

    def cycle_with(call) -> None:
        tid = None
        for name, path, headers, body, expect in plan:
            status, data = call(path.format(id=tid), headers, body)
            if status != expect:
                raise SystemExit(f"{name}: HTTP {status} {data[:300]!r}")
            if name == "call_next":
                tid = json.loads(data)["id"]

    loop = asyncio.new_event_loop()

    def asgi_call(path, headers, body):
        return loop.run_until_complete(asgi(path, headers, body))

    per_op: dict[str, list[float]] = {}

    def timed(call):
        def inner(path, headers, body):
            t0 = os.times()
            out = call(path, headers, body)
            t1 = os.times()
            name = next(n for n, p, *_ in plan if path.endswith(p.rsplit("/", 1)[-1]))
            per_op.setdefault(name, []).append((t1.user + t1.system - t0.user - t0.system) * 1000)
            return out

        return inner

    # asyncio's own first-use cost and Django's lazy imports out of the window
    for _ in range(20):
        cycle_with(asgi_call)
    from _django import GcTime

    if args.lockstep:
        print("ready", flush=True)
        for line in sys.stdin:  # "go N": N cycles
            word, _, n = line.partition(" ")
            if word != "go":
                break
            r0 = time.process_time()
            for _ in range(int(n or 1)):
                cycle_with(asgi_call)
            print(f"{(time.process_time() - r0) * 1000:.4f}", flush=True)
        return
    t0, hot["n"] = os.times(), 0
    w0 = time.perf_counter()
    with GcTime() as gc_time:
        for _ in range(args.cycles):
            cycle_with(asgi_call)
    t1, ops, wall = os.times(), args.cycles * 4, time.perf_counter() - w0
    cpu = (t1.user + t1.system - t0.user - t0.system) / ops * 1000
    vendor = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"ASGI, {vendor}, DEBUG={'on' if args.debug else 'off'}: {ops} requests, {cpu:.2f} ms of CPU "
        f"(kernel {(t1.system - t0.system) / ops * 1000:.2f}) and "
        f"{wall / ops * 1000:.2f} ms wall per request ({hot['n']} served hot); load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f"; garbage collections: {gc_time}"
    )
    t0 = os.times()
    for _ in range(args.cycles // 2):
        cycle_with(timed(wsgi))
    t1 = os.times()
    wsgi_cpu = (t1.user + t1.system - t0.user - t0.system) / (args.cycles // 2 * 4) * 1000
    print(
        f"WSGI (same thread): {wsgi_cpu:.2f} ms of CPU per request; by operation: "
        + ", ".join(f"{k} {sum(v) / len(v):.2f} ms" for k, v in per_op.items())
    )
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        tid = None
        for name, path, headers, body, _expect in plan:
            with CaptureQueriesContext(connection) as ctx:
                _status, data = wsgi(path.format(id=tid), headers, body)
            if name == "call_next":
                tid = json.loads(data)["id"]
            print(f"--- {name}: {len(ctx.captured_queries)} statements")
            for q in ctx.captured_queries:
                print("   ", q["sql"][:300])
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.cycles // 2):
            cycle_with(wsgi)
        profile.disable()
        if args.profile_out:
            profile.dump_stats(args.profile_out)
        stats = pstats.Stats(profile)
        # Python function calls per request: steadier than CPU time on a shared machine.
        print(f"cProfile: {stats.total_calls / (args.cycles // 2 * 4):,.0f} function calls per request")
        stats.sort_stats(args.profile).print_stats(args.lines)


if __name__ == "__main__":
    main()
