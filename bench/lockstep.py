"""Two trees' Django path, measured in lockstep (issue 14): the same cycles, alternated one by one.

    .venv/bin/python bench/lockstep.py BASE_TREE NEW_TREE [--cycles 600] [--turn 10] [--pg] [--hot]

On a shared machine the CPU's speed drifts by tens of per cent within minutes, so runs of two trees one after the
other compare badly. Here each tree's ``bench/django_path_inprocess.py --lockstep`` is set up (its own database),
then they take turns: ``--turn`` issue → call-next → start → finish cycles of the first (≈ 0.1 s), as many of the
second, and so on. Both meet the same machine within a fraction of a second of each other; the ratio of their process times is what changed. Printed:
each tree's CPU per request (process time, every thread), the ratio, and the ratio per tenth of the run (its spread).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path


def start(tree: Path, suffix: str, args) -> subprocess.Popen:
    cmd = [
        str(tree / ".venv/bin/python"),
        "bench/django_path_inprocess.py",
        "--lockstep",
        "--db-suffix",
        suffix,
    ]
    cmd += ["--pg"] * args.pg + ["--hot"] * args.hot
    # One hash seed for both: str hashing's random seed alone moves a process's speed by a few per cent.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc
    raise SystemExit(f"{tree}: the bench did not start (exit {proc.wait()})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--cycles", type=int, default=600)
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--hot", action="store_true")
    ap.add_argument(
        "--turn", type=int, default=10, help="cycles per turn (a turn of ≈ 0.1 s keeps caches warm)"
    )
    args = ap.parse_args()
    procs = [start(args.base.resolve(), "_base", args), start(args.new.resolve(), "_new", args)]
    times: list[list[float]] = [[], []]
    turns = max(1, args.cycles // args.turn)
    for i in range(turns):
        order = (0, 1) if i % 2 == 0 else (1, 0)  # who goes first alternates too
        for k in order:
            procs[k].stdin.write(f"go {args.turn}\n")
            procs[k].stdin.flush()
            times[k].append(float(procs[k].stdout.readline()))
    for p in procs:
        p.stdin.close()
        p.wait()
    base, new = (sum(t) / (len(t) * args.turn * 4) for t in times)
    tenth = max(1, turns // 10)
    spread = [
        sum(times[1][j : j + tenth]) / sum(times[0][j : j + tenth])
        for j in range(0, turns - tenth + 1, tenth)
    ]
    print(
        f"{'PostgreSQL' if args.pg else 'SQLite'}{', hot path' if args.hot else ''}, {turns * args.turn} cycles in lockstep, {args.turn} a turn: "
        f"base {base:.2f} ms, new {new:.2f} ms of CPU per request; new/base {new / base:.3f} "
        f"(per tenth: min {min(spread):.3f}, median {statistics.median(spread):.3f}, max {max(spread):.3f})"
    )


if __name__ == "__main__":
    sys.exit(main())
