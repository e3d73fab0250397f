"""Load the demo: each app's ``demo.py`` contributes its part, in dependency order. Idempotent."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_MODULES = [
    "standard",
    "halls",
    "catalog",
    "staff",
    "privacy",
    "integrations",
    "queueing",
    "floor",
    "sla",
    "notify",
    "complaints",
    "consultations",
    "facilities",
    "inspections",
    "training",
    "visits",
    "evaluations",
    "kpi",  # last: it reads what every other domain recorded
]


class Command(BaseCommand):
    help = "Load demo data (a region with 3 halls, staff in every role, catalogue, standard v1, customers)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow in production")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, force, quiet, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load demo data in production (use --force).")
        ctx: dict = {"stdout": self.stdout, "quiet": quiet}
        for name in DEMO_MODULES:
            try:
                module = import_module(f"{name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.load(ctx)
        if not quiet:
            from staff.demo import print_logins

            print_logins(self.stdout)
