"""manage.py simulate — a hall day of arrivals and clerks through the real services (issue 3 §9)."""

from __future__ import annotations

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from halls.models import Hall
from queueing.simulation import simulate_day


class Command(BaseCommand):
    help = "Simulate arrivals (hourly curve) and a clerk mix; fast by default, --live in real time; prints the MAE."

    def add_arguments(self, parser):
        parser.add_argument("--hall", default="SZ-NS-001", help="hall code (default: the demo flagship)")
        parser.add_argument("--minutes", type=int, default=120, help="simulated minutes to run")
        parser.add_argument("--start", default="09:00", help="fast mode: local start time today (HH:MM)")
        parser.add_argument(
            "--live", action="store_true", help="real time (watch the display after make run)"
        )
        parser.add_argument(
            "--speed", type=float, default=1.0, help="live mode: simulated minutes per real minute"
        )
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, hall, minutes, start, live, speed, seed, **options):
        h = Hall.objects.filter(code=hall).first()
        if h is None:
            raise CommandError(f"unknown hall {hall}")
        at = timezone.make_aware(datetime.combine(timezone.localdate(), time.fromisoformat(start)))
        try:
            result = simulate_day(
                hall=h, start=at, minutes=minutes, seed=seed, live=live, speed=speed, log=self.stdout.write
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        mae = f"{result.mae:.2f}" if result.mae is not None else "n/a"
        self.stdout.write(
            f"issued={result.issued} served={result.served} no_shows={result.no_shows} "
            f"estimated-wait MAE={mae} min over {len(result.errors)} calls"
        )
