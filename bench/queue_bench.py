"""Queue benchmark (issue 3 §10): the real ASGI server on PostgreSQL under a realistic mix from many clients.

    .venv/bin/python bench/queue_bench.py [--seconds 30] [--baseline-seconds 10] [--warmup 3] [--halls 4]
                                          [--counters 6] [--clients 32] [--servers 2]
                                          [--client-loop uvloop|asyncio] [--no-write]

1. Creates (or recreates) the database ``tingwu_bench_queue`` on 127.0.0.1:5432, migrates, seeds halls, counters,
   clerks and kiosk tokens.
2. Starts ``--servers`` independent uvicorn processes on ``tingwu.asgi`` (each ``--workers 1``, no access log, pooled
   DB connections) on ports 8765, 8766, … and assigns the clients to them round-robin, one client = one server for
   the whole run (its login included). This emulates the load balancer production puts in front of several app
   processes (an nginx ``upstream`` with one entry per process). It replaces ``uvicorn --workers N``: there the
   workers share one listening socket and the kernel handed most keep-alive connections to one worker (measured:
   one at ≈ 90 % CPU, the other idle), so the second core never ran Python.
3. Logs every clerk in over HTTP (login form, CSRF cookie, session cookie; all at once, PBKDF2 makes that take
   seconds: the time is printed) and opens their counters; the warm-up starts only once every login is done.
4. Drives kiosks (issue) and counters (call-next → start → finish) with the raw asyncio HTTP/1.1 client of
   ``bench/_http.py`` (one keep-alive connection per device, on uvloop when installed; ≈ 0.05–0.15 ms of CPU per
   request instead of httpx's 2–7 ms, so the figures are the server's, not the load generator's): ``--warmup``
   seconds unrecorded, then ``--seconds`` recorded. Reports ops/s, p50/p99 latency per operation, errors by status,
   the share of responses served by the hot path (header ``x-tingwu-path: hot``), duplicate claims (must be 0) and
   the CPU per operation of the client, the uvicorn processes (every server and its descendants) and PostgreSQL
   over the recorded window only (no start-up, no PBKDF2 logins).
5. Baseline (``--baseline-seconds``, 0 = skip): restarts the servers with ``QUEUE_HOT_PATH=0`` (every request through
   Django's full request path), logs the clerks in again, runs the same mix after the same warm-up on the same
   database (ticket numbers just continue; the queue left waiting by the first run is still there) and prints the
   same figures, then ``hot path / Django path`` for ops/s and p99.
6. Measures the raw-SQL ceiling of the call-next claim (``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)``)
   with the same number of concurrent connections, and prints the ratio of each run to it.
Writes the figures into docs/performance.md between ``<!-- bench:queue begin/end -->`` markers (not with --no-write).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(
    os.environ.get("BENCH_QUEUE_PORT", "8765")
)  # first server's port; several runs on one machine differ
REDIS_URL = os.environ.get("BENCH_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/0")

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/_http.py, bench/_measure.py
from _measure import (  # noqa: E402
    cpu_delta,
    pct,
    pgbench_ceiling,
    postgres_cpu,
    postgres_cpu_delta,
    process_tree_cpu,
    raw_ceiling,
)
from _queue_doc import MAX_WAITING, write_doc  # noqa: E402
from _queue_seed import DB, DB_URL, PASSWORD, setup_database  # noqa: E402


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_servers(
    n: int, hot_path: bool, server: str = "uvicorn", setup: str = "bench"
) -> list[subprocess.Popen]:
    """``n`` independent uvicorn processes (``--workers 1`` each) on PORT, PORT+1, …, ``QUEUE_HOT_PATH`` on or off.

    The production entry point (tingwu.asgi on uvicorn) with the access log off (a log line per request is not part
    of the app's cost). DB connections are reused through Django's psycopg pool (settings: DB_POOL, on by default)
    and, on the hot path, its own small per-loop pool. Returns once every server answers /healthz.

    ``setup``: ``bench`` as above; ``redis`` the same with ``REDIS_URL`` set (cache and display events through
    Redis); ``production`` the README's production set-up: ``manage.py serve`` (uvicorn with its access log through
    Django's LOGGING and its masking filter) with ``REDIS_URL``."""
    import httpx

    ports = [PORT + i for i in range(n)]
    busy = [p for p in ports if port_in_use(p)]
    if busy:  # a stale server there would answer /healthz and silently take the load
        raise SystemExit(f"port(s) {busy} already in use (another benchmark run, or a server left over?)")
    # DEBUG off as in production (with DEBUG on, Django records every query of the Django path).
    env = {**os.environ, "DATABASE_URL": DB_URL, "QUEUE_HOT_PATH": "1" if hot_path else "0", "DEBUG": "false"}
    if setup in ("redis", "production"):
        env["REDIS_URL"] = REDIS_URL
        env["FLOOR_BUS_PREFIX"] = f"bench:{DB}:{PORT}"  # apart from anyone else's events on the same Redis
    label = ("hot" if hot_path else "django") + ("" if setup == "bench" else f"_{setup}")
    procs = []
    for i, port in enumerate(ports):
        if server == "granian":
            cmd = [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
            cmd += [
                "--workers",
                "1",
                "--runtime-mode",
                "st",
                "--loop",
                "uvloop",
                "--no-ws",
                "--log-level",
                "warning",
            ]
            cmd += ["tingwu.asgi:application"]
        elif setup == "production":
            cmd = [sys.executable, "manage.py", "serve", "--port", str(port)]
        else:
            cmd = [sys.executable, "-m", "uvicorn", "tingwu.asgi:application", "--port", str(port)]
            cmd += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
        with open(
            ROOT / "var" / f"bench_queue_server_{label}_{i}.log", "w"
        ) as log:  # the child keeps its copy
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log))
    deadline = time.monotonic() + 180  # importing the app takes 15–20 s on a loaded 2-core machine
    for i, (proc, port) in enumerate(zip(procs, ports, strict=True)):
        while True:
            if proc.poll() is not None:
                stop_servers(procs)
                raise SystemExit(
                    f"server {i} (port {port}) exited with {proc.returncode}: "
                    f"see var/bench_queue_server_{label}_{i}.log"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                stop_servers(procs)
                raise SystemExit(f"server {i} (port {port}) did not start within 180 s")
            time.sleep(0.3)
    return procs


def stop_servers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


OPS = ("issue", "call_next", "start", "finish")
SETUPS = {
    "bench": "the benchmark's uvicorn (no access log, no REDIS_URL)",
    "redis": "the benchmark's uvicorn with REDIS_URL",
    "production": "README production: manage.py serve (access log) with REDIS_URL",
}


async def login(c, username: str) -> dict[str, str]:
    """The clerk's browser login: GET the form (csrftoken cookie), POST it form-encoded with the token in the field and
    the header, Referer/Origin as a browser sends them. Ends with a ``sessionid`` cookie or stops the bench. Returns the
    headers the desk API needs on its POSTs (the CSRF token rotated by the login, the Origin a browser sends)."""
    from urllib.parse import urlencode

    status, _h, _b = await c.get("/accounts/login/")
    csrf = c.cookies.get("csrftoken")
    if status != 200 or not csrf:
        raise SystemExit(
            f"login form for {username}: HTTP {status}, csrftoken cookie {'set' if csrf else 'missing'}"
        )
    form = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}).encode()
    status, _h, body = await c.post(
        "/accounts/login/",
        form,
        headers={"X-CSRFToken": csrf, "Referer": f"{c.origin}/accounts/login/", "Origin": c.origin},
        content_type="application/x-www-form-urlencoded",
    )
    if status not in (200, 302) or "sessionid" not in c.cookies:
        raise SystemExit(
            f"login failed for {username}: HTTP {status}, no sessionid cookie; body {body[:300]!r}"
        )
    return {"X-CSRFToken": c.cookies["csrftoken"], "Origin": c.origin}


async def drive(
    seed: dict, seconds: int, warmup: float, clients: int, server_pids: list[int], counters: int | None = None
) -> dict:
    """Connect and log in every device, drive the mix for ``warmup`` seconds unrecorded, then record ``seconds``.

    Device ``i`` (counters first, then kiosks) talks to server ``i % len(server_pids)`` on port ``PORT + i % n``
    for the whole run, its login included: the round-robin of a load balancer in front of the app processes.
    Latency, status codes and the ``x-tingwu-path`` header are recorded for the requests that complete inside the
    recorded window; CPU (client, every uvicorn process and its descendants, PostgreSQL) is read at the window's
    two ends."""
    from _http import Client, HTTPError

    lat: dict[str, list[float]] = {op: [] for op in OPS}
    hot = dict.fromkeys(OPS, 0)
    empty = [0]  # call-next 204 (nobody waiting) in the window: not an error
    errors: dict[str, int] = {}
    warmup_errors: dict[str, int] = {}
    samples: dict[str, bytes] = {}  # first body per error code, to make a failure readable
    claimed: list[int] = []  # every claim, warm-up included: the duplicates check covers the whole run
    state = {"recording": False, "stop": False}
    perf = time.perf_counter

    async def call(
        name: str, c: Client, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        t0 = perf()
        try:
            status, hdrs, data = await c.request("POST", path, body, headers)
        except HTTPError as exc:
            status, hdrs, data = 0, {}, repr(exc).encode()
        if state["recording"] and status:  # a connection failure is an error, not an operation
            lat[name].append((perf() - t0) * 1000)
            if hdrs.get("x-tingwu-path") == "hot":
                hot[name] += 1
            if status == 204 and name == "call_next":
                empty[0] += 1
        if status >= 400 or status == 0:
            key = f"{name}:{status or 'conn'}"
            bucket = errors if state["recording"] else warmup_errors
            bucket[key] = bucket.get(key, 0) + 1
            samples.setdefault(key, data[:300])
        return status, data

    # Arrivals keep pace with service, as in a hall: a kiosk waits while MAX_WAITING customers of its hall are
    # already waiting (counted here: issued − called). Without it kiosks out-issue the counters, the waiting list
    # grows by thousands during a run, and every claim and wait estimate (which look at all waiting tickets, as
    # in a real hall with its dozens) measures an unreal queue instead of the request path.
    waiting = {h["hall"]: 0 for h in seed["halls"]}

    async def kiosk(c: Client, h: dict) -> None:
        headers = {"Authorization": f"Bearer {h['kiosk']}"}
        body = json.dumps({"business_type_id": h["bt"]}).encode()
        while not state["stop"]:
            if waiting[h["hall"]] >= MAX_WAITING:
                await asyncio.sleep(0.002)
                continue
            status, _ = await call("issue", c, "/api/v1/queue/kiosk/tickets", body, headers)
            if status == 201:
                waiting[h["hall"]] += 1
            elif status == 0:
                await asyncio.sleep(0.01)

    async def counter(c: Client, h: dict, counter_id: int, headers: dict[str, str]) -> None:
        base = f"/api/v1/queue/counters/{counter_id}"
        finish_body = json.dumps({"outcome": "done", "business_type_ids": [h["bt"]]}).encode()
        while not state["stop"]:
            status, data = await call("call_next", c, f"{base}/call-next", b"", headers)
            if status != 200:
                await asyncio.sleep(0.005)
                continue
            tid = json.loads(data)["id"]
            claimed.append(tid)
            waiting[h["hall"]] -= 1
            await call("start", c, f"{base}/tickets/{tid}/start", b"", headers)
            await call("finish", c, f"{base}/tickets/{tid}/finish", finish_body, headers)

    def port_of(device: int) -> int:
        return PORT + device % len(server_pids)

    login_done: list[float] = []  # perf_counter at the end of each clerk's login

    async def open_counter(device: int, h: dict, counter_id: int) -> tuple[Client, dict, int, dict[str, str]]:
        c = Client("127.0.0.1", port_of(device))
        await c.connect()
        headers = await login(c, h["clerk"])
        login_done.append(perf())
        status, _h, body = await c.post(f"/api/v1/queue/counters/{counter_id}/open", b"", headers)
        if status >= 400:
            raise SystemExit(f"opening counter {counter_id}: HTTP {status} {body[:300]!r}")
        return c, h, counter_id, headers

    halls = seed["halls"]
    counter_slots = [(h, cid) for h in halls for cid in h["counters"]]
    n_counters = min(len(counter_slots), counters or max(1, clients * 2 // 3))
    login_t0 = perf()
    opened = await asyncio.gather(
        *(open_counter(i, h, cid) for i, (h, cid) in enumerate(counter_slots[:n_counters]))
    )
    # Every clerk is logged in (a failed login stops the bench) before any device starts the warm-up.
    missing = [cid for c, _h, cid, _hd in opened if "sessionid" not in c.cookies]
    if len(login_done) != n_counters or missing:
        raise SystemExit(
            f"{n_counters - len(login_done)} logins unfinished, counters without a session: {missing}"
        )
    logins = {
        "count": len(login_done),
        "seconds": max(login_done) - login_t0,
        "first": min(login_done) - login_t0,
    }
    kiosks = []
    for i in range(max(1, clients - n_counters)):
        c = Client("127.0.0.1", port_of(n_counters + i))
        await c.connect()
        kiosks.append((c, halls[i % len(halls)]))
    per_server = [0] * len(server_pids)
    for c, *_ in (*opened, *kiosks):
        per_server[c.port - PORT] += 1

    warmup_t0 = perf()
    assert warmup_t0 >= max(login_done), "warm-up before the last login"
    loops = [asyncio.ensure_future(counter(*o)) for o in opened]
    loops += [asyncio.ensure_future(kiosk(c, h)) for c, h in kiosks]
    await asyncio.sleep(warmup)
    # Window start: CPU counters first, then the clock and the flag (responses that arrived meanwhile count in).
    server0, pg0 = process_tree_cpu(server_pids), postgres_cpu()
    client0, times0 = time.process_time(), os.times()
    t0 = perf()
    state["recording"] = True
    await asyncio.sleep(seconds)
    # Window end: the flag and the clock first, then the CPU counters.
    state["recording"] = False
    state["stop"] = True
    elapsed = perf() - t0
    client_cpu, times1 = time.process_time() - client0, os.times()
    server1, pg_cpu = process_tree_cpu(server_pids), postgres_cpu_delta(pg0)
    load_after = os.getloadavg()
    try:
        await asyncio.wait_for(asyncio.gather(*loops), 60)
    except TimeoutError:
        raise SystemExit("devices still waiting on the server 60 s after the end of the window") from None
    for c, *_ in opened:
        await c.aclose()
    for c, _h in kiosks:
        await c.aclose()
    return {
        "lat": lat,
        "hot": hot,
        "empty": empty[0],
        "errors": errors,
        "warmup_errors": warmup_errors,
        "samples": samples,
        "claimed": claimed,
        "elapsed": elapsed,
        "clients": len(loops),
        "kiosks": len(kiosks),
        "counters": len(opened),
        "per_server": per_server,
        "logins": logins,
        "client_cpu": client_cpu,
        "client_sys": times1.system - times0.system,  # of which in the kernel (loopback TCP, epoll)
        "server_cpu_each": [cpu_delta(server0[pid], server1[pid]) for pid in server_pids],
        "server_cpu": sum(cpu_delta(server0[pid], server1[pid]) for pid in server_pids),
        "server_procs": sum(len(tree) for tree in server1.values()),
        "pg_cpu": pg_cpu,
        "load_after": load_after,
    }


def run(seed: dict, args, *, hot_path: bool, seconds: int, setup: str = "bench") -> dict:
    """Start the servers (hot path on or off), drive the mix, stop the servers; the figures of ``drive``."""
    load_before = os.getloadavg()
    servers = start_servers(args.servers, hot_path, args.server, setup)
    try:
        # Django (imported for the seeding) left ≈ 150k objects: out of the collector's way, so that a full collection
        # during the run is not charged to the load generator.
        gc.collect()
        gc.freeze()
        loop_factory = None
        if args.client_loop == "uvloop":
            import uvloop

            loop_factory = uvloop.new_event_loop
        res = asyncio.run(
            drive(seed, seconds, args.warmup, args.clients, [s.pid for s in servers]),
            loop_factory=loop_factory,
        )
    finally:
        stop_servers(servers)
    res["load_before"] = load_before
    res["hot_path"] = hot_path
    res["setup"] = setup
    lat = res["lat"]
    res["ops"] = sum(len(v) for v in lat.values())
    res["rate"] = res["ops"] / res["elapsed"]
    res["p50"] = pct([x for v in lat.values() for x in v], 50)
    res["p99"] = pct([x for v in lat.values() for x in v], 99)
    res["hot_share"] = sum(res["hot"].values()) / max(res["ops"], 1)
    return res


def report(res: dict, args, ceiling: float) -> list[str]:
    """The lines printed (and written to docs/performance.md) for one run."""
    lat = res["lat"]
    ops, elapsed, rate = res["ops"], res["elapsed"], res["rate"]
    dup = len(res["claimed"]) - len(set(res["claimed"]))
    errors = res["errors"]
    n4xx = sum(n for k, n in errors.items() if k.rsplit(":", 1)[1].startswith("4"))
    n5xx = sum(n for k, n in errors.items() if k.rsplit(":", 1)[1].startswith("5"))
    nconn = sum(n for k, n in errors.items() if k.endswith(":conn"))
    per_op = 1000 / max(ops, 1)
    cores = os.cpu_count() or 1
    share = {k: res[k] / elapsed / cores * 100 for k in ("client_cpu", "server_cpu", "pg_cpu")}
    lg = res["logins"]
    title = (
        "hot path (QUEUE_HOT_PATH=1)" if res["hot_path"] else "Django path (QUEUE_HOT_PATH=0, the baseline)"
    )
    if res.get("setup", "bench") != "bench":
        title += f", set-up: {SETUPS[res['setup']]}"
    lines = [
        f"== {title} ==",
        f"clients={res['clients']} (kiosks={res['kiosks']} counters={res['counters']}) servers={args.servers} "
        f"(clients per server {'/'.join(map(str, res['per_server']))}) halls={args.halls} "
        f"counters/hall={args.counters} warm-up={args.warmup:g}s recorded={elapsed:.1f}s",
        f"logins: {lg['count']} clerk logins at once (PBKDF2) done in {lg['seconds']:.1f} s (first after "
        f"{lg['first']:.1f} s); warm-up started after the last one",
        f"total ops={ops} ops/s={rate:.0f} p50={res['p50']:.1f} ms p99={res['p99']:.1f} ms "
        f"hot={res['hot_share'] * 100:.0f}% duplicates={dup} errors: 4xx={n4xx} 5xx={n5xx} connection={nconn} "
        f"{errors}",
    ]
    for name, v in lat.items():
        extra = f" (204 nobody waiting={res['empty']})" if name == "call_next" else ""
        lines.append(
            f"  {name:<10} n={len(v):>6} p50={pct(v, 50):6.1f} ms p99={pct(v, 99):6.1f} ms "
            f"hot={res['hot'][name] / len(v) * 100 if v else 0:.0f}%{extra}"
        )
    lines.append(
        f"CPU per op: client (raw asyncio, {args.client_loop} loop) {res['client_cpu'] * per_op:.3f} ms "
        f"(kernel {res['client_sys'] * per_op:.3f}), server (uvicorn + Django, "
        f"{res['server_procs']} processes) {res['server_cpu'] * per_op:.2f} ms, PostgreSQL (all backends) "
        f"{res['pg_cpu'] * per_op:.2f} ms; CPU busy {sum(share.values()):.0f}% of the machine's {cores} cores "
        f"(client {share['client_cpu']:.0f}%, server {share['server_cpu']:.0f}% = "
        + " + ".join(f"{cpu / elapsed / cores * 100:.0f}" for cpu in res["server_cpu_each"])
        + f" per server, PostgreSQL {share['pg_cpu']:.0f}%)"
    )
    lines.append(f"HTTP mix / raw SQL call-next ceiling = {rate / ceiling:.3f}")
    if res.get("pgbench"):
        lines.append(f"HTTP mix / pgbench call-next ceiling = {rate / res['pgbench']:.3f}")
    lines.append(
        "load average (1/5/15 min) before: {:.2f} {:.2f} {:.2f}; after the HTTP run: {:.2f} {:.2f} {:.2f}".format(
            *res["load_before"], *res["load_after"]
        )
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30, help="recorded window of the hot path run")
    ap.add_argument(
        "--baseline-seconds",
        type=int,
        default=10,
        help="recorded window of the baseline run with QUEUE_HOT_PATH=0 (0 = no baseline)",
    )
    ap.add_argument("--warmup", type=float, default=3, help="seconds of the same mix before recording")
    ap.add_argument("--halls", type=int, default=4)
    ap.add_argument("--counters", type=int, default=6)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument(
        "--servers",
        type=int,
        default=2,
        help="independent uvicorn processes (--workers 1 each) on consecutive ports, clients assigned round-robin",
    )
    ap.add_argument(
        "--client-loop",
        choices=("uvloop", "asyncio"),
        default="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        help="event loop of the load generator (uvloop, when installed, halves its CPU per request)",
    )
    ap.add_argument(
        "--server",
        choices=("uvicorn", "granian"),
        default="uvicorn",
        help="the ASGI server of each process (both documented for production, docs/deployment)",
    )
    ap.add_argument(
        "--setups",
        default="bench",
        help="comma-separated hot path set-ups, each run for --seconds in this order (the first is the ratios' "
        "baseline): bench, redis (REDIS_URL set), production (manage.py serve with REDIS_URL)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="run the hot path set-ups this many times")
    ap.add_argument(
        "--pgbench",
        action="store_true",
        help="also the claim statement under pgbench (bench/pgbench_claim.sql)",
    )
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    setups = args.setups.split(",")
    if unknown := set(setups) - set(SETUPS):
        ap.error(f"unknown set-up(s): {sorted(unknown)}")
    if args.servers < 1:
        ap.error("--servers must be at least 1")
    seed = setup_database(args.halls, args.counters)
    runs = [
        run(seed, args, hot_path=True, seconds=args.seconds, setup=setup)
        for _ in range(args.repeat)
        for setup in setups
    ]
    if args.baseline_seconds > 0:
        runs.append(run(seed, args, hot_path=False, seconds=args.baseline_seconds))
    ceiling = raw_ceiling(
        "postgresql://postgres@127.0.0.1:5432/" + DB,
        10,
        runs[0]["clients"],
        [h["hall"] for h in seed["halls"]],
    )
    pgb = None
    if args.pgbench:
        pgb = pgbench_ceiling(
            "postgresql://postgres@127.0.0.1:5432/" + DB,
            10,
            runs[0]["clients"],
            [h["hall"] for h in seed["halls"]],
        )
        for res in runs:
            res["pgbench"] = pgb["rate"]
    lines = []
    for res in runs:
        lines += report(res, args, ceiling)
    lines.append(f"raw SQL call-next ceiling: {ceiling:.0f} claims/s ({runs[0]['clients']} connections)")
    if pgb:
        lines.append(
            f"pgbench call-next ceiling: {pgb['rate']:.0f} claims/s ({runs[0]['clients']} clients, "
            f"{pgb['threads']} threads, prepared; latency average {pgb['latency_ms']:.2f} ms) = "
            f"{pgb['rate'] / ceiling:.2f}× the Python client's"
        )
    hot_runs = [r for r in runs if r["hot_path"]]
    first = hot_runs[0]
    for res in hot_runs[1:]:
        per = {k: res[k] / res["ops"] / (first[k] / first["ops"]) for k in ("server_cpu", "pg_cpu")}
        lines.append(
            f"{res['setup']} / {first['setup']}: ops/s {res['rate'] / first['rate']:.2f}×, p99 "
            f"{res['p99'] / first['p99']:.2f}×, server CPU per op {per['server_cpu']:.2f}×, PostgreSQL CPU per op "
            f"{per['pg_cpu']:.2f}×"
        )
    if not runs[-1]["hot_path"]:
        hot, base = first, runs[-1]
        lines.append(
            f"hot path / Django path = {hot['rate'] / base['rate']:.1f}× ops/s ({hot['rate']:.0f} / "
            f"{base['rate']:.0f}); p99 {hot['p99']:.1f} ms / {base['p99']:.1f} ms = {hot['p99'] / base['p99']:.2f}× "
            f"(Django path p99 {base['p99'] / hot['p99']:.1f}× the hot path's)"
        )
    print("\n".join(lines))
    failed = False
    for res in runs:
        label = "hot path" if res["hot_path"] else "Django path"
        if res["warmup_errors"]:
            print(f"{label}: errors during the warm-up (not in the figures): {res['warmup_errors']}")
        for key, body in res["samples"].items():
            print(f"{label}: first {key} body: {body!r}")
        dup = len(res["claimed"]) - len(set(res["claimed"]))
        if dup:
            print(f"{label}: DUPLICATE CLAIMS: {dup}", file=sys.stderr)
            failed = True
        if not res["hot_path"] and res["hot_share"]:
            print(
                f"{label}: {res['hot_share'] * 100:.1f}% served by the hot path with QUEUE_HOT_PATH=0",
                file=sys.stderr,
            )
            failed = True
    if not args.no_write:
        write_doc(lines, args)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
