"""Daily rollups (SUP-2): the worker's ``kpi_rollup_sweep`` keeps one row per (day, hall, clerk, business type, kpi,
source) equal to what the sources count over their raw rows.

Late data (an evaluation answered two days later, a complaint reopened inside its window, a consultation met late)
is caught two ways, both cheap: every night the last ``kpi.rollup_recheck_days`` days are recomputed once, and any
day can be marked dirty (``kpi_days_mark_dirty`` / ``manage.py kpi_rollup --from … --to …``) to be recomputed by
the next pass. A recompute replaces the whole day in one transaction, so it is exact and idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from halls.models import Hall
from kpi import registry
from kpi.definitions import SHANGHAI, day_bounds, local_day
from kpi.models import DailyRollup, MonthRollup, RollupDay
from lib.months import add_months
from standard.services import standard_in_force

logger = logging.getLogger("tingwu.kpi")


def _rows_for(parts, regions: dict[int, int], now: datetime) -> list[DailyRollup]:
    merged: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for p in parts:
        key = (p["day"], p["hall_id"], p.get("clerk_id"), p.get("business_type_id"), p["kpi"], p["source"])
        acc = merged[key]
        acc[0] += p["numerator"]
        acc[1] += p["denominator"]
        acc[2] += p.get("pending", 0) or 0
    return [
        DailyRollup(
            day=day,
            hall_id=hall_id,
            region_id=regions[hall_id],
            clerk_id=clerk_id,
            business_type_id=bt_id,
            kpi=kpi,
            source=source,
            numerator=num,
            denominator=den,
            pending=pending,
            computed_at=now,
        )
        for (day, hall_id, clerk_id, bt_id, kpi, source), (num, den, pending) in merged.items()
    ]


def rollup_range(*, day_from: date, day_to: date, now: datetime | None = None) -> int:
    """Recompute every day in [day_from, day_to] from the sources in one transaction; returns rows written."""
    now = now or timezone.now()
    regions = dict(Hall.objects.values_list("pk", "region_id"))
    with transaction.atomic():
        rows = _rows_for(registry.iter_parts(day_from=day_from, day_to=day_to), regions, now)
        DailyRollup.objects.filter(day__gte=day_from, day__lte=day_to).delete()
        DailyRollup.objects.bulk_create(rows, batch_size=2000)
        per_day: dict[date, int] = defaultdict(int)
        for r in rows:
            per_day[r.day] += 1
        days = [day_from + timedelta(days=i) for i in range((day_to - day_from).days + 1)]
        RollupDay.objects.bulk_create([RollupDay(day=d) for d in days], ignore_conflicts=True)
        for d in days:
            RollupDay.objects.filter(day=d).update(dirty=False, computed_at=now, rows=per_day[d])
        month_rollup_refresh(months={d.replace(day=1) for d in days}, now=now)
    return len(rows)


def month_rollup_refresh(*, months, now: datetime | None = None) -> int:
    """Rewrite the months' ``MonthRollup`` rows as Σ of their daily rows (one grouped query a month)."""
    now = now or timezone.now()
    written = 0
    for month in sorted(months):
        MonthRollup.objects.filter(month=month).delete()
        grouped = (
            DailyRollup.objects.filter(day__gte=month, day__lt=add_months(month, 1))
            .values("hall_id", "region_id", "kpi", "source")
            .annotate(num=Sum("numerator"), den=Sum("denominator"), pend=Sum("pending"))
            .order_by()
        )
        rows = [
            MonthRollup(
                month=month,
                hall_id=g["hall_id"],
                region_id=g["region_id"],
                kpi=g["kpi"],
                source=g["source"],
                numerator=g["num"] or 0,
                denominator=g["den"] or 0,
                pending=g["pend"] or 0,
                computed_at=now,
            )
            for g in grouped
        ]
        MonthRollup.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def rollup_day(*, day: date, now: datetime | None = None) -> int | None:
    """Recompute one dirty day; None when another worker took it first (claimed by conditional UPDATE)."""
    now = now or timezone.now()
    with transaction.atomic():
        if not RollupDay.objects.filter(day=day, dirty=True).update(dirty=False):
            return None
        return rollup_range(day_from=day, day_to=day, now=now)


def kpi_days_mark_dirty(*, day_from: date, day_to: date, now: datetime | None = None) -> int:
    """Late data for these days: the next sweep recomputes them."""
    now = now or timezone.now()
    days = [day_from + timedelta(days=i) for i in range((day_to - day_from).days + 1)]
    with transaction.atomic():
        RollupDay.objects.bulk_create([RollupDay(day=d, marked_at=now) for d in days], ignore_conflicts=True)
        return RollupDay.objects.filter(day__in=days).update(dirty=True, marked_at=now)


def kpi_rollup_sweep(*, now: datetime | None = None, limit: int = 40) -> dict:
    """One pass: mark yesterday and the recheck window dirty once per local day, recompute dirty days (oldest
    first, at most ``limit``), and on the 1st raise the three-month flags for the month just closed."""
    from kpi.services import kpi_flag_month  # services import this module

    now = now or timezone.now()
    today = local_day(now)
    yesterday = today - timedelta(days=1)
    recheck = int(standard_in_force(at=now)["kpi.rollup_recheck_days"])
    first = yesterday - timedelta(days=max(1, recheck) - 1)
    today_start, _ = day_bounds(today)
    days = [first + timedelta(days=i) for i in range((yesterday - first).days + 1)]
    RollupDay.objects.bulk_create([RollupDay(day=d, marked_at=now) for d in days], ignore_conflicts=True)
    # Only days not yet computed since today began: the pass every minute does nothing after the first one.
    marked = RollupDay.objects.filter(
        day__gte=first, day__lte=yesterday, dirty=False, computed_at__lt=today_start
    ).update(dirty=True, marked_at=now)
    done = 0
    for day in (
        RollupDay.objects.filter(dirty=True, day__lt=today)
        .order_by("day")
        .values_list("day", flat=True)[:limit]
    ):
        if rollup_day(day=day, now=now) is not None:
            done += 1
    flags = 0
    if today.day == 1 and not RollupDay.objects.filter(dirty=True, day__lt=today).exists():
        flags = kpi_flag_month(month=add_months(today, -1), now=now)
    return {"marked": marked, "recomputed": done, "flags": flags}


__all__ = [
    "SHANGHAI",
    "kpi_days_mark_dirty",
    "kpi_rollup_sweep",
    "month_rollup_refresh",
    "rollup_day",
    "rollup_range",
]
