"""The embedded default under a busy hall's peak (issue 14): SQLite, the server ``make run`` starts, real HTTP.

    .venv/bin/python bench/sqlite_floor_bench.py [--seconds 20] [--warmup 3] [--port 8108]
                                                 [--shape 8x2 --shape 32x8] [--baseline] [--no-write]

1. Creates a fresh SQLite file ``var/bench_floor.sqlite3``, migrates, seeds halls of 8 counters each (one clerk and
   one kiosk token per hall) and five previous days of served tickets (bench/_queue_seed.py's ``seed_history``).
2. For each ``--shape DESKSxKIOSKS`` (default: 8 desks + 2 kiosks in one hall — a busy hall's peak —, then 32 desks
   + 8 kiosks in four halls) starts ``manage.py serve --port PORT`` — exactly what ``make run`` runs: one uvicorn
   process, DEBUG as locally (on), the access log on (to a file) — logs every clerk in at once, opens the counters and
   drives kiosks (issue) and counters (call-next → start → finish) with bench/queue_bench.py's ``drive`` (raw asyncio
   client, one keep-alive connection per device, arrivals held back at 30 waiting per hall): ``--warmup`` seconds
   unrecorded, then ``--seconds`` recorded.
3. ``--baseline``: each shape also once with ``--baseline-env`` (default ``QUEUE_HOT_PATH=0``: the SQLite hot path
   off, Django's path only; ``TINGWU_SQLITE_WRITE_QUEUE=0`` is the code before issue 14's engine fix), in the same run
   and on the same file, and the ratios.
Prints ops/s, p50/p99 per operation, errors, CPU per operation and the load average; writes them into
docs/performance.md between ``<!-- bench:sqlite_floor begin/end -->`` (not with --no-write).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_FILE = ROOT / "var" / "bench_floor.sqlite3"
DB_URL = f"sqlite:///{DB_FILE}"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import queue_bench  # noqa: E402
from _measure import pct  # noqa: E402


def seed(halls: int, counters: int) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from _queue_seed import PASSWORD, open_round_the_clock, seed_history

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
        ids = [f.counter(hall, n).pk for n in range(1, counters + 1)]
        clerk = f.user(f"bench_clerk{h}", hall_roles=[(hall, HallRole.CLERK)], password=PASSWORD)
        _tok, raw = token_create(hall=hall, kind=TokenKind.KIOSK, name="bench kiosk")
        seeded.append({"hall": hall.pk, "bt": bt.pk, "clerk": clerk.username, "kiosk": raw, "counters": ids})
    seed_history(seeded)
    from django.db import connections

    connections.close_all()
    return {"halls": seeded}


def start_server(port: int, env_extra: dict) -> subprocess.Popen:
    import httpx

    if queue_bench.port_in_use(port):
        raise SystemExit(f"port {port} already in use")
    env = {**os.environ, "DATABASE_URL": DB_URL, **env_extra}
    env.pop("DEBUG", None)  # as make run: DEBUG follows TINGWU_ENV (local: on)
    log = open(ROOT / "var" / "bench_floor_server.log", "a")  # noqa: SIM115 - the child keeps it
    cmd = [sys.executable, "manage.py", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: see var/bench_floor_server.log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            queue_bench.stop_servers([proc])
            raise SystemExit("server did not start within 60 s")
        time.sleep(0.3)


def run(seeded: dict, *, desks: int, kiosks: int, args, env_extra: dict) -> dict:
    halls = max(1, -(-desks // 8))
    shape = {"halls": seeded["halls"][:halls]}
    load_before = os.getloadavg()
    server = start_server(args.port, env_extra)
    queue_bench.PORT = args.port
    try:
        gc.collect()
        gc.freeze()
        res = asyncio.run(
            queue_bench.drive(shape, args.seconds, args.warmup, desks + kiosks, [server.pid], counters=desks)
        )
    finally:
        queue_bench.stop_servers([server])
    lat = res["lat"]
    every = [x for v in lat.values() for x in v]
    res.update(
        load_before=load_before,
        ops=len(every),
        rate=len(every) / res["elapsed"],
        p50=pct(every, 50),
        p99=pct(every, 99),
        desks=desks,
        halls=halls,
        env=env_extra,
    )
    return res


def report(res: dict) -> list[str]:
    errors = res["errors"]
    n5xx = sum(n for k, n in errors.items() if k.rsplit(":", 1)[1].startswith("5"))
    nother = sum(errors.values()) - n5xx
    per_op = 1000 / max(res["ops"], 1)
    dup = len(res["claimed"]) - len(set(res["claimed"]))
    label = " ".join(f"{k}={v}" for k, v in res["env"].items()) or "as committed"
    lines = [
        f"== {res['desks']} desks + {res['kiosks']} kiosks, {res['halls']} hall(s), {label} ==",
        f"ops/s={res['rate']:.0f} p50={res['p50']:.1f} ms p99={res['p99']:.1f} ms duplicates={dup} "
        f"errors: 5xx={n5xx} other={nother} {errors} (warm-up: {res['warmup_errors'] or 'none'})",
    ]
    for name, v in res["lat"].items():
        lines.append(f"  {name:<10} n={len(v):>6} p50={pct(v, 50):7.1f} ms p99={pct(v, 99):7.1f} ms")
    lines += [f"  first {key}: {body[:160]!r}" for key, body in res.get("samples", {}).items()]
    lines.append(
        f"logins: {res['logins']['count']} at once in {res['logins']['seconds']:.1f} s; server CPU per op "
        f"{res['server_cpu'] * per_op:.2f} ms, client {res['client_cpu'] * per_op:.3f} ms; load average before "
        "{:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(*res["load_before"], *res["load_after"])
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--port", type=int, default=8108)
    ap.add_argument("--shape", action="append", help="DESKSxKIOSKS, e.g. 8x2 (repeatable)")
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="also run each shape with --baseline-env (same run, same file)",
    )
    ap.add_argument("--baseline-env", default="QUEUE_HOT_PATH=0", help="NAME=VALUE of the baseline run")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    shapes = [tuple(map(int, s.split("x"))) for s in (args.shape or ["8x2", "32x8"])]
    seeded = seed(max(1, max(-(-d // 8) for d, _k in shapes)), 8)
    lines, pairs = [], []
    for desks, kiosks in shapes:
        res = run(seeded, desks=desks, kiosks=kiosks, args=args, env_extra={})
        lines += report(res)
        if args.baseline:
            base = run(
                seeded,
                desks=desks,
                kiosks=kiosks,
                args=args,
                env_extra=dict([args.baseline_env.split("=", 1)]),
            )
            lines += report(base)
            pairs.append((desks, kiosks, res, base))
    for desks, kiosks, res, base in pairs:
        lines.append(
            f"{desks}+{kiosks}: fixed / baseline = {res['rate'] / base['rate']:.1f}× ops/s "
            f"({res['rate']:.0f} / {base['rate']:.0f}); p99 {res['p99']:.0f} / {base['p99']:.0f} ms "
            f"= {res['p99'] / base['p99']:.2f}×"
        )
    print("\n".join(lines))
    if not args.no_write:
        write_doc(lines, args)


def write_doc(lines: list[str], args) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cmd = f".venv/bin/python bench/sqlite_floor_bench.py --seconds {args.seconds} --warmup {args.warmup:g}"
    cmd += "".join(f" --shape {s}" for s in args.shape or []) + (
        f" --baseline --baseline-env {args.baseline_env}" if args.baseline else ""
    )
    block = (
        "<!-- bench:sqlite_floor begin -->\n"
        f"`{cmd}`, run {when} on {os.cpu_count()} shared cores: `manage.py serve` (as `make run`), SQLite file, "
        "the raw asyncio client on the same machine.\n\n```\n"
        + "\n".join(lines)
        + "\n```\n<!-- bench:sqlite_floor end -->\n"
    )
    start, end = "<!-- bench:sqlite_floor begin -->", "<!-- bench:sqlite_floor end -->"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
