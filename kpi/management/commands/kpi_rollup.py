"""``manage.py kpi_rollup --from 2026-11-01 --to 2026-11-30``: recompute the daily KPI rollups of those days now
(after a data correction or an import), or ``--mark`` them dirty for the worker's next pass."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from kpi.rollup import kpi_days_mark_dirty, rollup_range


class Command(BaseCommand):
    help = "Recompute (or mark dirty) the KPI daily rollups for a range of days."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="day_from", required=True)
        parser.add_argument("--to", dest="day_to", required=True)
        parser.add_argument("--mark", action="store_true", help="only mark the days dirty for the worker")

    def handle(self, *args, day_from, day_to, mark, **options):
        start, end = parse_date(day_from or ""), parse_date(day_to or "")
        if start is None or end is None or end < start:
            raise CommandError("--from/--to must be dates YYYY-MM-DD with from ≤ to")
        if mark:
            n = kpi_days_mark_dirty(day_from=start, day_to=end)
            self.stdout.write(f"marked {n} day(s) dirty")
        else:
            n = rollup_range(day_from=start, day_to=end)
            self.stdout.write(f"wrote {n} rollup row(s)")
