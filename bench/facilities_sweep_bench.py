"""Benchmark: one maintenance sweep generating two weeks of occurrences for H halls × 20 plans, then a second pass
that must write nothing (issue 11: goal ≤ 10 s per pass for 1,000 halls on 2 cores on PostgreSQL, re-run ≤ 1 s).

Usage:  .venv/bin/python bench/facilities_sweep_bench.py [--halls 1000] [--plans 20] [--db tingwu_bench_facilities]

It drops and creates the database ``--db`` on 127.0.0.1:5432, migrates, seeds H halls with one
facility per plan (plans: a quarter daily, half weekly, a quarter monthly), and times ``maintenance_sweep`` at a moment
when no window has opened yet (so the pass is generation only; clock starts are capped at 1,000 per pass and are
the SLA engine's cost), then a second pass at the same moment. Baseline, in the same run: the same number of
occurrence rows written by one plain ``bulk_create`` (no rule expansion, no cursors; rolled back) — the floor any
generator pays; the ratio says how far above it the sweep is.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import fresh_database  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
RULES = ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY"]


def seed(halls: int, plans: int, now: datetime) -> None:
    from django.contrib.auth import get_user_model

    from facilities.models import Facility, MaintenancePlan
    from halls.models import Hall, Region
    from staff.models import HallAssignment, HallRole
    from standard.services import standard_seed_v1

    standard_seed_v1()
    region = Region.objects.create(code="BENCH", name="基准测试区域")
    owner = get_user_model().objects.create_user(username="bench_owner", password="x")
    hall_rows = Hall.objects.bulk_create(
        [Hall(region=region, code=f"B{i:05d}", name=f"基准营业厅{i}") for i in range(halls)], batch_size=1000
    )
    HallAssignment.objects.bulk_create(
        [HallAssignment(user=owner, hall=h, role=HallRole.HALL_MANAGER) for h in hall_rows], batch_size=1000
    )
    made = datetime(2026, 11, 30, 8, 0, tzinfo=SH)
    facilities = Facility.objects.bulk_create(
        [
            Facility(
                hall=h,
                kind="other",
                asset_code=f"A{p:02d}",
                label=f"设施{p}",
                responsible=owner,
                created_at=made,
            )
            for h in hall_rows
            for p in range(plans)
        ],
        batch_size=2000,
    )
    MaintenancePlan.objects.bulk_create(
        [
            MaintenancePlan(
                hall_id=f.hall_id,
                title=f"计划{i % plans}",
                facility=f,
                rrule=RULES[i % len(RULES)],
                dtstart=datetime(2026, 11, 2, 9, 0, tzinfo=SH),
                checklist=[{"key": "k1", "label": "检查", "type": "check"}],
                # made and changed once: only windows after the change are generated (none has opened at `now`)
                version=2,
                updated_at=now,
            )
            for i, f in enumerate(facilities)
        ],
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--halls", type=int, default=1000)
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--db", default="tingwu_bench_facilities")
    args = parser.parse_args()
    fresh_database(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    now = datetime(2026, 12, 7, 8, 0, tzinfo=SH)  # Monday before 09:00: no window open yet
    t = time.perf_counter()
    seed(args.halls, args.plans, now)
    print(f"seeded {args.halls} halls × {args.plans} plans in {time.perf_counter() - t:.1f} s")

    from facilities.models import Occurrence
    from facilities.services import maintenance_sweep

    timings = {}
    for label in ("first pass", "second pass"):
        t = time.perf_counter()
        result = maintenance_sweep(now=now)
        timings[label] = time.perf_counter() - t
        print(f"{label}: {timings[label]:.2f} s  {result}")
    print(f"occurrences: {Occurrence.objects.count()}")
    floor = baseline()
    print(f"baseline (plain bulk_create of the same rows): {floor:.2f} s")
    print(f"first pass / baseline = {timings['first pass'] / floor:.1f}×")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def baseline() -> float:
    """The same rows again, a year later (no conflict), by one bulk_create in a transaction that is rolled back."""
    from datetime import timedelta

    from django.db import transaction

    from facilities.models import Occurrence

    year = timedelta(days=364)
    rows = [
        Occurrence(
            hall_id=o["hall_id"],
            plan_id=o["plan_id"],
            plan_version=o["plan_version"],
            facility_id=o["facility_id"],
            window_start=o["window_start"] + year,
            window_end=o["window_end"] + year,
            checklist=o["checklist"],
        )
        for o in Occurrence.objects.values(
            "hall_id", "plan_id", "plan_version", "facility_id", "window_start", "window_end", "checklist"
        )
    ]
    t = time.perf_counter()
    with transaction.atomic():
        Occurrence.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        elapsed = time.perf_counter() - t
        transaction.set_rollback(True)
    return elapsed


if __name__ == "__main__":
    main()
