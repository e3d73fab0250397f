"""Measuring helpers of the benchmarks: per-process CPU from /proc (Linux), percentiles, the raw-SQL claim ceiling."""

from __future__ import annotations

import os
import threading
import time


def _proc_stats() -> dict[int, tuple[str, int, float]]:
    """pid → (command name, parent pid, CPU seconds user + system) for every process on this machine, from /proc."""
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
        out[int(pid)] = (name, int(rest[1]), (int(rest[11]) + int(rest[12])) / tick)  # ppid, utime, stime
    return out


def process_tree_cpu(roots: list[int]) -> dict[int, dict[int, float]]:
    """Per root: CPU seconds per process of the root and all its descendants (each uvicorn server, and any child)."""
    stats = _proc_stats()
    children: dict[int, list[int]] = {}
    for pid, (_name, ppid, _cpu) in stats.items():
        children.setdefault(ppid, []).append(pid)
    trees = {}
    for root in roots:
        out, todo = {}, [root]
        while todo:
            pid = todo.pop()
            if pid in stats:
                out[pid] = stats[pid][2]
                todo.extend(children.get(pid, ()))
        trees[root] = out
    return trees


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between the two readings by the processes alive at the second (one that ended meanwhile drops out)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def postgres_cpu() -> dict[int, float]:
    """CPU seconds (user + system) per PostgreSQL process on this machine, from /proc (Linux)."""
    return {pid: cpu for pid, (name, _ppid, cpu) in _proc_stats().items() if name.startswith("postgres")}


def postgres_cpu_delta(before: dict[int, float]) -> float:
    """CPU used since ``before`` by the processes alive now (a backend that ended meanwhile is not counted)."""
    return cpu_delta(before, postgres_cpu())


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _claim_table(dsn: str, hall_ids: list[int]) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ticket")
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
        conn.execute("ANALYZE bench_ticket")


def raw_ceiling(dsn: str, seconds: int, threads: int, hall_ids: list[int]) -> float:
    """The call-next claim as one SQL statement, at the same concurrency, over pre-seeded waiting tickets."""
    import psycopg

    _claim_table(dsn, hall_ids)
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


def pgbench_ceiling(dsn: str, seconds: int, clients: int, hall_ids: list[int]) -> dict:
    """The same claim (bench/pgbench_claim.sql) under pgbench: C client, prepared statements, ``clients``
    connections on 2 threads, over a fresh claim table. Returns claims/s, threads and pgbench's average latency."""
    import re
    import subprocess
    from pathlib import Path

    _claim_table(dsn, hall_ids)
    script = Path(__file__).resolve().parent / "pgbench_claim.sql"
    threads = min(2, clients)
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-f", str(script), "-D", f"halls={len(hall_ids)}"]
        + ["-c", str(clients), "-j", str(threads), "-T", str(seconds), dsn],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tps = re.search(r"tps = ([\d.]+)", out)
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    if tps is None:
        raise RuntimeError(f"pgbench printed no tps: {out}")
    return {
        "rate": float(tps.group(1)),
        "threads": threads,
        "latency_ms": float(lat.group(1)) if lat else 0.0,
    }
