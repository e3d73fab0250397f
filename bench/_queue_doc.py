"""queue_bench.py's record in docs/performance.md: the command line and the block between its markers."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_WAITING = 30  # customers waiting per hall before a kiosk holds back (queue_bench.drive)


def command_line(args) -> str:
    return (
        f".venv/bin/python bench/queue_bench.py --seconds {args.seconds} --baseline-seconds {args.baseline_seconds} "
        f"--warmup {args.warmup:g} --halls {args.halls} --counters {args.counters} --clients {args.clients} "
        f"--servers {args.servers} --client-loop {args.client_loop}"
    )


def write_doc(lines: list[str], args) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    baseline = (
        f"then the same mix for {args.baseline_seconds} s (after the same warm-up, on the same database) with the "
        "servers restarted with `QUEUE_HOT_PATH=0`, every request through Django's full request path; the last line "
        "gives hot path / Django path for ops/s and p99"
        if args.baseline_seconds > 0
        else "no baseline run (`--baseline-seconds 0`)"
    )
    block = (
        "<!-- bench:queue begin -->\n## Queue: issue / call-next / start / finish over HTTP (issue 3)\n\n"
        f"`{command_line(args)}`, run {when} on {os.cpu_count()} cores ({platform.machine()}): the load generator, "
        f"the {args.servers} uvicorn processes and PostgreSQL all run on the same machine and share these cores. "
        f"The servers are {args.servers} independent uvicorn processes on `tingwu.asgi` (`--workers 1` each, no "
        "access log) on consecutive ports, the clients assigned to them round-robin (one client = one server, its "
        "login included), as the load balancer in front of several app processes does in production (nginx "
        "`upstream`); `uvicorn --workers 2` let the kernel hand most keep-alive connections to one worker, leaving "
        "the second core without Python. The load generator is the raw asyncio HTTP/1.1 client "
        f"(`bench/_http.py` on the {args.client_loop} event loop: one keep-alive connection per kiosk or counter, "
        "requests built by hand), so it costs little of the shared CPU (its own figure is printed). Arrivals keep "
        f"pace with service as in a hall: a kiosk holds back while {MAX_WAITING} customers of its hall wait. Servers run "
        "with DEBUG off, as in production. Clerks log in "
        "(all at once; the time PBKDF2 takes is printed) and counters open before the warm-up; the warm-up is not "
        "recorded; latency, ops/s and the CPU figures (client process, every uvicorn process from /proc, every "
        f"PostgreSQL backend) cover the recorded window only. Runs: the hot path for {args.seconds} s, {baseline}. "
        "The raw-SQL call-next ceiling is the claim statement alone at the same concurrency.\n\n```\n"
        + "\n".join(lines)
        + "\n```\n<!-- bench:queue end -->\n"
    )
    start, end = "<!-- bench:queue begin -->", "<!-- bench:queue end -->"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")
