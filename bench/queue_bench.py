"""Queue benchmark (issue 3 §10): the real ASGI server on PostgreSQL under a realistic mix from many clients.

    .venv/bin/python bench/queue_bench.py [--seconds 30] [--halls 4] [--counters 6] [--clients 32] [--workers 2]

1. Creates (or recreates) the database ``tingwu_bench_queue`` on 127.0.0.1:5432, migrates, seeds halls, counters,
   clerks and kiosk tokens.
2. Starts uvicorn on ``tingwu.asgi`` (no access log, pooled DB connections), logs the clerks in over HTTP.
3. For ``--seconds`` drives kiosks (issue) and counters (call-next → start → finish) with httpx, and reports ops/s,
   p50/p99 latency per operation and duplicate claims (must be 0).
4. Measures the raw-SQL ceiling of the call-next claim (``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)``)
   with the same number of concurrent connections, and prints the ratio.
Writes the figures into docs/performance.md between ``<!-- bench:queue begin/end -->`` markers.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "tingwu_bench_queue"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PORT = 8765
PASSWORD = "Bench@Pass2026x"


def setup_database(halls: int, counters: int) -> dict:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
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
        bt = f.business_type(f"BT{h}", halls=[hall], name="套餐变更")
        for n in range(1, counters + 1):
            f.counter(hall, n)
        clerk = f.user(f"bench_clerk{h}", hall_roles=[(hall, HallRole.CLERK)], password=PASSWORD)
        _tok, raw = token_create(hall=hall, kind=TokenKind.KIOSK, name="bench kiosk")
        seeded.append({"hall": hall.pk, "bt": bt.pk, "clerk": clerk.username, "kiosk": raw, "counters": []})
    from halls.models import Counter

    for s in seeded:
        s["counters"] = list(Counter.objects.filter(hall_id=s["hall"]).values_list("pk", flat=True))
    from django.db import connections

    connections.close_all()
    return {"halls": seeded}


def start_server(workers: int) -> subprocess.Popen:
    # The production entry point (tingwu.asgi on uvicorn) with the access log off (a log line per request is not
    # part of the app's cost). DB connections are reused through Django's psycopg pool (settings: DB_POOL, on by default).
    env = {**os.environ, "DATABASE_URL": DB_URL}
    cmd = [sys.executable, "-m", "uvicorn", "tingwu.asgi:application", "--port", str(PORT)]
    cmd += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench_queue_server.log", "w"),  # noqa: SIM115 - lives as long as the server
    )
    import httpx

    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


async def login(client, username: str) -> dict:
    r = await client.get("/accounts/login/")
    csrf = client.cookies.get("csrftoken")
    r = await client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"X-CSRFToken": csrf},
    )
    if r.status_code not in (200, 302):
        raise SystemExit(f"login failed for {username}: {r.status_code}")
    return {"X-CSRFToken": client.cookies.get("csrftoken")}


async def drive(seed: dict, seconds: int, clients: int) -> dict:
    import httpx

    lat: dict[str, list[float]] = {"issue": [], "call_next": [], "start": [], "finish": []}
    errors: dict[str, int] = {}
    claimed: list[int] = []
    deadline = time.perf_counter() + seconds
    base = f"http://127.0.0.1:{PORT}"
    limits = httpx.Limits(max_connections=clients * 2)
    timeout = httpx.Timeout(30.0)

    async def timed(name, coro):
        t0 = time.perf_counter()
        r = await coro
        lat[name].append((time.perf_counter() - t0) * 1000)
        if r.status_code >= 400:
            errors[f"{name}:{r.status_code}"] = errors.get(f"{name}:{r.status_code}", 0) + 1
        return r

    async def kiosk(h):
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as c:
            headers = {"Authorization": f"Bearer {h['kiosk']}"}
            while time.perf_counter() < deadline:
                await timed(
                    "issue",
                    c.post(
                        "/api/v1/queue/kiosk/tickets", json={"business_type_id": h["bt"]}, headers=headers
                    ),
                )

    async def counter(h, counter_id):
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as c:
            headers = await login(c, h["clerk"])
            await c.post(f"/api/v1/queue/counters/{counter_id}/open", headers=headers)
            while time.perf_counter() < deadline:
                r = await timed(
                    "call_next", c.post(f"/api/v1/queue/counters/{counter_id}/call-next", headers=headers)
                )
                if r.status_code != 200:
                    await asyncio.sleep(0.005)
                    continue
                tid = r.json()["id"]
                claimed.append(tid)
                await timed(
                    "start",
                    c.post(f"/api/v1/queue/counters/{counter_id}/tickets/{tid}/start", headers=headers),
                )
                await timed(
                    "finish",
                    c.post(
                        f"/api/v1/queue/counters/{counter_id}/tickets/{tid}/finish",
                        json={"outcome": "done", "business_type_ids": [h["bt"]]},
                        headers=headers,
                    ),
                )

    tasks = []
    halls = seed["halls"]
    counter_slots = [(h, cid) for h in halls for cid in h["counters"]]
    n_counters = min(len(counter_slots), max(1, clients * 2 // 3))
    for h, cid in counter_slots[:n_counters]:
        tasks.append(counter(h, cid))
    for i in range(max(1, clients - n_counters)):
        tasks.append(kiosk(halls[i % len(halls)]))
    t0 = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    return {"lat": lat, "errors": errors, "claimed": claimed, "elapsed": elapsed, "clients": len(tasks)}


def raw_ceiling(seconds: int, threads: int, hall_ids: list[int]) -> float:
    """The call-next claim as one SQL statement, at the same concurrency, over pre-seeded waiting tickets."""
    import psycopg

    dsn = "postgresql://postgres@127.0.0.1:5432/" + DB
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_ticket (id bigserial primary key, hall_id int, status text, arrival_at timestamptz,"
            " counter_id int)"
        )
        conn.execute(
            "INSERT INTO bench_ticket (hall_id, status, arrival_at) SELECT (g %% %s), 'waiting', now() + g * interval"
            " '1 ms' FROM generate_series(1, 400000) g",
            (len(hall_ids),),
        )
        conn.execute("CREATE INDEX ON bench_ticket (hall_id, arrival_at) WHERE status = 'waiting'")
    sql = (
        "UPDATE bench_ticket SET status = 'called', counter_id = %s WHERE id = (SELECT id FROM bench_ticket"
        " WHERE hall_id = %s AND status = 'waiting' ORDER BY arrival_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
        " RETURNING id"
    )
    count = [0] * threads
    stop = time.perf_counter() + seconds

    def work(i):
        with psycopg.connect(dsn, autocommit=True) as c:
            while time.perf_counter() < stop:
                c.execute(sql, (i, i % len(hall_ids))).fetchone()
                count[i] += 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(count) / (time.perf_counter() - t0)


def postgres_cpu() -> dict[int, float]:
    """CPU seconds (user + system) per PostgreSQL process on this machine, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if name.startswith("postgres"):
            out[int(pid)] = (int(rest[11]) + int(rest[12])) / tick  # utime, stime
    return out


def postgres_cpu_delta(before: dict[int, float]) -> float:
    """CPU used since ``before`` by the processes alive now (a backend that ended meanwhile is not counted)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in postgres_cpu().items())


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--halls", type=int, default=4)
    ap.add_argument("--counters", type=int, default=6)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    seed = setup_database(args.halls, args.counters)
    server = start_server(args.workers)
    load_before = os.getloadavg()
    # Where the CPU goes: this process (the httpx clients), the uvicorn processes (reaped children) and PostgreSQL
    # (every backend of the server, other users' too; backends that end during the run drop out). The machine's cores
    # are shared by all three.
    client_cpu0, pg_cpu0 = time.process_time(), postgres_cpu()
    try:
        res = asyncio.run(drive(seed, args.seconds, args.clients))
    finally:
        client_cpu = time.process_time() - client_cpu0
        pg_cpu = postgres_cpu_delta(pg_cpu0)
        server.terminate()
        server.wait(10)
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = children.ru_utime + children.ru_stime  # uvicorn master + workers, start-up included
    ops = sum(len(v) for v in res["lat"].values())
    all_lat = [x for v in res["lat"].values() for x in v]
    dup = len(res["claimed"]) - len(set(res["claimed"]))
    rate = ops / res["elapsed"]
    load_after = os.getloadavg()
    ceiling = raw_ceiling(10, res["clients"], [h["hall"] for h in seed["halls"]])
    lines = [
        f"clients={res['clients']} workers={args.workers} halls={args.halls} counters/hall={args.counters} "
        f"seconds={res['elapsed']:.1f}",
        f"total ops={ops} ops/s={rate:.0f} p50={pct(all_lat, 50):.1f} ms p99={pct(all_lat, 99):.1f} ms "
        f"duplicates={dup} errors={res['errors']}",
    ]
    for name, v in res["lat"].items():
        lines.append(f"  {name:<10} n={len(v):>6} p50={pct(v, 50):6.1f} ms p99={pct(v, 99):6.1f} ms")
    lines.append(
        f"CPU per op: client (httpx) {client_cpu / ops * 1000:.2f} ms, server (uvicorn + Django) "
        f"{server_cpu / ops * 1000:.2f} ms, PostgreSQL (all backends) {pg_cpu / ops * 1000:.2f} ms; "
        f"CPU busy {(client_cpu + server_cpu + pg_cpu) / res['elapsed'] / (os.cpu_count() or 1) * 100:.0f}% "
        "of the machine"
    )
    lines.append(
        f"raw SQL call-next ceiling: {ceiling:.0f} claims/s; HTTP mix / ceiling = {rate / ceiling:.3f}"
    )
    lines.append(
        "load average (1/5/15 min) before: {:.2f} {:.2f} {:.2f}; after the HTTP run: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    print("\n".join(lines))
    if not args.no_write:
        write_doc(lines, args)


def write_doc(lines: list[str], args) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    block = (
        "<!-- bench:queue begin -->\n## Queue: issue / call-next / start / finish over HTTP (issue 3)\n\n"
        f"`.venv/bin/python bench/queue_bench.py --seconds {args.seconds} --halls {args.halls} "
        f"--counters {args.counters} --clients {args.clients} --workers {args.workers}` — uvicorn "
        f"(`tingwu.asgi`, no access log), PostgreSQL on the same machine, {os.cpu_count()} cores ({platform.machine()}), "
        "client and server sharing the cores.\n\n```\n"
        + "\n".join(lines)
        + "\n```\n<!-- bench:queue end -->\n"
    )
    start, end = "<!-- bench:queue begin -->", "<!-- bench:queue end -->"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
